// trivy reads images from containerd's own API (`--image-src containerd`), not through the CRI, so
// the scanner's path is proven on every release a cluster may run: Debian's 1.6, 1.7 and 2.0-2.3
// here on private instances, and the current 2.x on node-2 (worker-scanner.test.ts).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { GrpcCriClient } from "../../src/cri/grpc-client.ts";
import { buildImageLayout, cleanImage, importImages, startContainerd, vulnerableAlpineImage } from "../harness/index.ts";
import { containerdReleases, type ContainerdRelease } from "../harness/containerd.ts";
import { runScanPipeline, scannerConfigFile } from "../harness/scan-pipeline.ts";
import { prepareTrivyDb } from "../harness/trivy.ts";
import { ensureWorkerBuilt } from "../harness/worker-run.ts";

const work = mkdtempSync("/tmp/ets-scanrel-");
const cache = join(work, "trivy-cache");

before(() => {
  ensureWorkerBuilt();
  prepareTrivyDb(cache);
});
after(() => {
  rmSync(work, { recursive: true, force: true });
});

function scanSuite(release: ContainerdRelease): void {
  test(`containerd ${release}: trivy flags and the remover removes the Alpine 3.9 image; a clean one is kept`, async () => {
    const dir = join(work, `r${release}`);
    const containerd = await startContainerd({ name: `scan-${release}`, baseDir: join(dir, "ctd"), release });
    const cri = new GrpcCriClient(containerd.endpoint);
    try {
      const tar = join(dir, "images.tar");
      const [vulnerable, clean] = buildImageLayout([vulnerableAlpineImage("docker.io/library/sr-vulnerable:3.9"), cleanImage("docker.io/library/sr-clean:1")], tar);
      assert.ok(vulnerable !== undefined && clean !== undefined);
      await importImages(containerd, tar);
      const config = scannerConfigFile(dir, "default", `cacheDir: ${cache}\noffline: true`);
      const { scanner, remover } = await runScanPipeline({ endpoint: containerd.endpoint, dir, name: "default", config });
      assert.equal(scanner.exitCode, 0, scanner.stdout);
      const flagged = scanner.logs.filter((l) => l["decision"] === "flagged").map((l) => String(l["image"]));
      assert.deepEqual(flagged, [vulnerable.id], "trivy read the images from this containerd and flagged the vulnerable one only");
      assert.equal(remover.exitCode, 0, remover.stdout);
      const left = new Set((await cri.listImages()).map((i) => i.id));
      assert.ok(!left.has(vulnerable.id), "the vulnerable image is removed");
      assert.ok(left.has(clean.id), "the clean image is kept");
      assert.equal(remover.result?.scanned, 2, "both candidates were scanned");
    } finally {
      cri.close();
      await containerd.stop();
    }
  });
}

describe("the scanner on each containerd release", () => {
  for (const release of containerdReleases.filter((r) => r !== "2")) scanSuite(release);
});
