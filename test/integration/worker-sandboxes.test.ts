// "Never removed: every image a pod sandbox uses" (SPEC 2.3) when the runtime's sandbox image
// changes under running pods, on a private containerd of each release (1.6 to the current 2.x):
// the pods keep the old pause image, which the runtime's config no longer names (and containerd
// 1.6 does not pin).
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GrpcCriClient } from "../../src/cri/grpc-client.ts";
import { buildImageLayout, importImages, markerImage, startContainerd } from "../harness/index.ts";
import { containerdReleases, restartContainerd, sandboxImageRef, type ContainerdInstance, type ContainerdRelease } from "../harness/containerd.ts";
import { runPodSandbox } from "../harness/cri-sandbox.ts";
import { pauseImage } from "../harness/oci/specs.ts";
import { ensureWorkerBuilt, runWorker } from "../harness/worker-run.ts";

const nextPause = "registry.k8s.io/pause:eraser-ts-next";
const unused = "docker.io/library/sbx-unused:1";
const running: ContainerdInstance[] = [];

after(async () => {
  for (const instance of running) await instance.stop();
});

function sandboxSuite(release: ContainerdRelease): void {
  test(`containerd ${release}: a prune keeps the old pause image that running pods still use, and the new one`, async () => {
    ensureWorkerBuilt();
    const dir = mkdtempSync("/tmp/ets-sbx-");
    let instance = await startContainerd({ name: `sbx-${release}`, baseDir: join(dir, "ctd"), release });
    running.push(instance);
    const tar = join(dir, "images.tar");
    const [next, marker] = buildImageLayout([pauseImage(nextPause, "next"), markerImage(unused)], tar);
    await importImages(instance, tar);
    await runPodSandbox(instance.endpoint, "old-pod");
    instance = await restartContainerd(instance, nextPause);
    running[running.length - 1] = instance;

    const cri = new GrpcCriClient(instance.endpoint);
    try {
      const before = await cri.listImages();
      const oldPause = before.find((i) => i.repoTags.includes(sandboxImageRef));
      assert.ok(oldPause !== undefined && next !== undefined && marker !== undefined);
      assert.equal(await cri.sandboxImage().then((s) => s ?? nextPause), nextPause, "the runtime now names the new pause image, or none");

      const list = join(dir, "prune.json");
      writeFileSync(list, JSON.stringify(["*"]));
      const run = await runWorker(["remover", `--runtime-endpoint=${instance.endpoint}`, `--imagelist=${list}`]);
      assert.equal(run.exitCode, 0, run.stderr);
      const after = new Set((await cri.listImages()).map((i) => i.id));
      assert.ok(!after.has(marker.id), "the control: an unused image is pruned");
      assert.ok(after.has(oldPause.id), "the pause image the running pod uses stays");
      assert.ok(after.has(next.id), "the pause image new pods will use stays");
      const reasons = new Map(run.logs.filter((l) => l["decision"] === "kept").map((l) => [String(l["image"]), String(l["reason"])]));
      assert.equal(reasons.get(oldPause.id), "sandbox", "kept because a pod sandbox runs it");
    } finally {
      cri.close();
      await instance.stop();
      running.pop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

describe("images pod sandboxes run", () => {
  for (const release of containerdReleases) sandboxSuite(release);
});
