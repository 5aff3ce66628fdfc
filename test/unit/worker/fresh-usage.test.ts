import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { FakeCri } from "../../../src/cri/fake.ts";
import { FreshUsage } from "../../../src/worker/fresh-usage.ts";
import { removeImages } from "../../../src/worker/remove.ts";
import { createLogger } from "../../../src/observability/logger.ts";
import type { ContainerRecord } from "../../../src/cri/types.ts";
import type { ImageRecord } from "../../../src/images/record.ts";

const logger = createLogger({ level: "silent" });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const image = (i: number): ImageRecord => ({ id: `sha256:${String(i).padStart(64, "0")}`, repoTags: [`docker.io/library/x:${i}`], repoDigests: [], pinned: false, sizeBytes: 1 });
const container = (ref: string): ContainerRecord => ({ id: ref, podSandboxId: "s", name: "c", image: ref, imageRef: "", state: "running", labels: {} });

/** A runtime whose ListContainers takes `ms` and answers with the containers as they were when it was sent. */
function slowListing(cri: FakeCri, ms: number): { sent: () => number } {
  let sent = 0;
  cri.listContainerImages = async () => {
    sent++;
    const snapshot = structuredClone(cri.containers);
    await sleep(ms);
    return snapshot;
  };
  return { sent: () => sent };
}

describe("fresh in-use checks", () => {
  test("a container that appears mounting the image as an image volume makes it in use at the next check", async () => {
    const cri = new FakeCri();
    const usage = new FreshUsage(cri);
    assert.equal((await usage.check()).isInUse(image(7)), false);
    cri.containers = [container("docker.io/library/app:1")];
    cri.mountImages = { "docker.io/library/app:1": [image(7).id] };
    assert.equal((await usage.check()).isInUse(image(7)), true);
  });

  test("a check asked while a listing is on the wire waits for the next listing, and sees a container created in between", async () => {
    const cri = new FakeCri();
    slowListing(cri, 20);
    const usage = new FreshUsage(cri);
    const early = usage.check();
    await sleep(5);
    cri.containers = [container("docker.io/library/x:1")];
    const late = usage.check();
    assert.equal((await early).isInUse(image(1)), false, "the first listing was sent before the container existed");
    assert.equal((await late).isInUse(image(1)), true, "the later check must not reuse the listing sent before it");
    assert.equal(usage.listings, 2);
  });

  test("checks that arrive during one listing share the next one", async () => {
    const cri = new FakeCri();
    slowListing(cri, 10);
    const usage = new FreshUsage(cri);
    const first = usage.check();
    const rest = Array.from({ length: 30 }, () => usage.check());
    await Promise.all([first, ...rest]);
    assert.equal(usage.listings, 2);
  });

  test("each listing is handed the last one's containers, so only new containers are read; a container gone is forgotten", async () => {
    const cri = new FakeCri([], [container("docker.io/library/a:1"), container("docker.io/library/b:1")]);
    const handed: string[][] = [];
    const list = cri.listContainerImages.bind(cri);
    cri.listContainerImages = (seen) => {
      handed.push([...(seen?.keys() ?? [])].sort());
      return list(seen);
    };
    const usage = new FreshUsage(cri);
    await usage.check();
    cri.containers = [container("docker.io/library/b:1"), container("docker.io/library/c:1")];
    assert.equal((await usage.check()).isInUse({ ...image(1), repoTags: ["docker.io/library/c:1"] }), true, "a new container is read");
    assert.equal((await usage.check()).isInUse({ ...image(1), repoTags: ["docker.io/library/a:1"] }), false, "a container gone no longer counts");
    assert.deepEqual(handed, [[], ["docker.io/library/a:1", "docker.io/library/b:1"], ["docker.io/library/b:1", "docker.io/library/c:1"]]);
  });

  test("a failed listing fails its checks, and the next check sends a new one", async () => {
    const cri = new FakeCri();
    let calls = 0;
    cri.listContainerImages = () => (++calls === 1 ? Promise.reject(new Error("runtime busy")) : Promise.resolve([]));
    const usage = new FreshUsage(cri);
    const failing = usage.check();
    const waiting = usage.check();
    await assert.rejects(failing, /runtime busy/);
    assert.equal((await waiting).isInUse(image(1)), false);
    assert.equal(calls, 2);
  });

  test("64 removals in flight send far fewer listings than removals, and still keep an image that became used", async () => {
    const images = Array.from({ length: 400 }, (_, i) => image(i));
    const cri = new FakeCri(structuredClone(images));
    const listing = slowListing(cri, 2);
    const remove = cri.removeImage.bind(cri);
    cri.removeImage = async (id: string) => {
      await sleep(5);
      if (id === images[10]!.id) cri.containers = [container("docker.io/library/x:300")];
      await remove(id);
    };
    const outcome = await removeImages(cri, images, { concurrency: 64, dryRun: false, logger });
    assert.deepEqual(outcome.keptInUse.map((i) => i.repoTags[0]), ["docker.io/library/x:300"]);
    assert.equal(outcome.removed.length, 399);
    assert.ok(listing.sent() < images.length / 4, `${listing.sent()} listings for ${images.length} removals`);
  });
});
