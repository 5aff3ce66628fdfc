import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { FakeCri } from "../../../src/cri/fake.ts";
import { CriError } from "../../../src/cri/types.ts";
import { removeImages } from "../../../src/worker/remove.ts";
import { createLogger } from "../../../src/observability/logger.ts";
import type { ImageRecord } from "../../../src/images/record.ts";

const logger = createLogger({ level: "silent" });
const images: ImageRecord[] = Array.from({ length: 20 }, (_, i) => ({ id: `sha256:${String(i).padStart(64, "0")}`, repoTags: [`docker.io/library/x:${i}`], repoDigests: [], pinned: false, sizeBytes: 100 }));

describe("removal", () => {
  test("removes by image ID, at most `concurrency` at a time", async () => {
    const cri = new FakeCri(structuredClone(images));
    let inFlight = 0;
    let peak = 0;
    const original = cri.removeImage.bind(cri);
    cri.removeImage = async (image: string): Promise<void> => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 2));
      await original(image);
      inFlight--;
    };
    const outcome = await removeImages(cri, images, { concurrency: 4, dryRun: false, logger });
    assert.equal(outcome.removed.length, 20);
    assert.deepEqual(cri.removed.sort(), images.map((i) => i.id).sort());
    assert.equal(peak, 4);
  });

  test("a container that appears before the removal's check protects its image", async () => {
    const cri = new FakeCri(structuredClone(images));
    cri.containers = [{ id: "late", image: "docker.io/library/x:3", imageRef: "" }];
    const outcome = await removeImages(cri, images, { concurrency: 1, dryRun: false, logger });
    assert.deepEqual(outcome.keptInUse.map((i) => i.repoTags[0]), ["docker.io/library/x:3"]);
    assert.ok(!cri.removed.includes(images[3]!.id));
  });

  test("an in-use check that cannot list the containers fails its image alone: nothing unchecked is removed, and the removals around it are counted", async () => {
    const cri = new FakeCri(structuredClone(images));
    const original = cri.listContainerImages.bind(cri);
    let listings = 0;
    cri.listContainerImages = (seen) => (++listings === 5 ? Promise.reject(new Error("CRI runtime cannot be reached")) : original(seen));
    const outcome = await removeImages(cri, images, { concurrency: 1, dryRun: false, logger });
    assert.equal(outcome.failed.length, 1);
    assert.match(outcome.failed[0]?.reason ?? "", /^not removed: its in-use check failed: CRI runtime cannot be reached/);
    assert.equal(outcome.removed.length, 19);
    assert.ok(!cri.removed.includes(outcome.failed[0]?.image.id ?? ""), "the image whose check failed stays");
  });

  test("a call whose connection dropped (a runtime restart) is tried once more from a fresh check; a removal the runtime had made counts once", async () => {
    const cri = new FakeCri(structuredClone(images));
    const dropped = (): CriError => new CriError(cri.endpoint, "cannot be reached (Connection dropped)", 14);
    const original = { remove: cri.removeImage.bind(cri), list: cri.listContainerImages.bind(cri) };
    let removals = 0;
    let listings = 0;
    // The 3rd removal is made, but its reply is lost; later, the 10th listing is cut off.
    cri.removeImage = async (image) => {
      if (++removals !== 3) return original.remove(image);
      await original.remove(image);
      throw dropped();
    };
    cri.listContainerImages = (seen) => (++listings === 10 ? Promise.reject(dropped()) : original.list(seen));
    const outcome = await removeImages(cri, images, { concurrency: 1, dryRun: false, logger });
    assert.deepEqual(outcome.failed, []);
    assert.deepEqual(outcome.removed.map((i) => i.id).sort(), images.map((i) => i.id).sort(), "each image counted removed once");
    assert.equal(cri.images.length, 0);
  });

  test("a connection that drops twice for one image fails that image only", async () => {
    const cri = new FakeCri(structuredClone(images));
    const original = cri.removeImage.bind(cri);
    cri.removeImage = (image) => (image === images[7]?.id ? Promise.reject(new CriError(cri.endpoint, "cannot be reached (Connection dropped)", 14)) : original(image));
    const outcome = await removeImages(cri, images, { concurrency: 2, dryRun: false, logger });
    assert.deepEqual(outcome.failed.map((f) => f.image.id), [images[7]?.id]);
    assert.equal(outcome.removed.length, 19);
  });

  test("a dry run calls RemoveImage never", async () => {
    const cri = new FakeCri(structuredClone(images));
    const outcome = await removeImages(cri, images, { concurrency: 8, dryRun: true, logger });
    assert.equal(outcome.removed.length, 20);
    assert.deepEqual(cri.removed, []);
  });

  test("a failing removal is reported, the others go on", async () => {
    const cri = new FakeCri(structuredClone(images));
    cri.beforeRemove = (image) => {
      if (image === images[5]!.id) throw new Error("image is busy");
    };
    const outcome = await removeImages(cri, images, { concurrency: 2, dryRun: false, logger });
    assert.equal(outcome.removed.length, 19);
    assert.deepEqual(outcome.failed.map((f) => f.reason), ["image is busy"]);
  });
});
