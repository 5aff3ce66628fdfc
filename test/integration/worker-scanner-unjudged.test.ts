// Scans that end without a verdict for reasons that say nothing about the image, with the real
// trivy (v0.74.0) on a real node's containerd: they keep their images, whatever deleteFailedImages
// says (ADR 0016, amended). trivy's Java DB: trivy fetches it only when an image holds Java
// archives, so the check before the first scan cannot cover it. A trivy the OOM killer kills. A
// runtime trivy cannot reach for a while.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GrpcCriClient } from "../../src/cri/grpc-client.ts";
import { buildImageLayout, cleanImage, importImages, jarImage, sharedCluster, vulnerableAlpineImage, type BuiltImage, type RealNode } from "../harness/index.ts";
import { prepareStaleJavaDb, prepareTrivyDb, trivyBinary } from "../harness/trivy.ts";
import { runScanPipeline, scannerConfigFile, type WorkerRun } from "../harness/scan-pipeline.ts";
import { ensureWorkerBuilt } from "../harness/worker-run.ts";

const work = mkdtempSync("/tmp/ets-javadb-");
/** A Java DB repository that refuses at once, as a registry with no egress to it does. */
const refusingJavaDbRepo = "javaDbRepo: 127.0.0.1:9/eraser-ts/no-java-db";
let node: RealNode;
let cri: GrpcCriClient;
let images: Record<"vulnerable" | "clean" | "firstJar" | "secondJar", BuiltImage>;

before(async () => {
  ensureWorkerBuilt();
  const cluster = await sharedCluster();
  const second = cluster.realNodes()[1];
  assert.ok(second, "a second real node");
  node = second;
  cri = new GrpcCriClient(node.containerd.endpoint);
});
after(async () => {
  // node:test skips `before` when a name filter leaves no test here, but still runs `after`.
  if ((cri as GrpcCriClient | undefined) === undefined) return;
  // The Java images are kept by design; other suites on this node expect to judge all they find.
  for (const image of await cri.listImages()) {
    if (image.repoTags.some((tag) => tag.startsWith("docker.io/library/jdb-"))) await cri.removeImage(image.id);
  }
  cri.close();
  rmSync(work, { recursive: true, force: true });
});

async function importFresh(): Promise<void> {
  const tar = join(work, "images.tar");
  const built = buildImageLayout(
    [vulnerableAlpineImage("docker.io/library/jdb-vulnerable:3.9"), cleanImage("docker.io/library/jdb-clean:1"), jarImage("docker.io/library/jdb-java:1"), jarImage("docker.io/library/jdb-java:2")],
    tar,
  );
  const [vulnerable, clean, firstJar, secondJar] = built;
  images = { vulnerable: vulnerable!, clean: clean!, firstJar: firstJar!, secondJar: secondJar! };
  await importImages(node.containerd, tar);
}

/** A fresh cacheDir holding the fixture vulnerability DB (current, so never fetched) and no Java DB. */
function freshCache(name: string): string {
  const cache = join(work, `cache-${name}`);
  prepareTrivyDb(cache);
  return cache;
}

/** The real trivy behind a wrapper that writes down each command line it is given. */
function recordingTrivy(name: string): { path: string; calls: () => string[] } {
  const path = join(work, `trivy-${name}`);
  const calls = join(work, `calls-${name}`);
  writeFileSync(path, `#!/bin/sh\necho "$*" >> ${calls}\nexec ${trivyBinary} "$@"\n`, { mode: 0o755 });
  return { path, calls: () => readFileSync(calls, "utf8").trim().split("\n") };
}

const present = async (image: BuiltImage): Promise<boolean> => (await cri.listImages()).some((i) => i.id === image.id);
const decisionOf = (scanner: WorkerRun, image: BuiltImage): Record<string, unknown> | undefined =>
  scanner.logs.find((l) => l["image"] === image.id && l["decision"] !== undefined);

describe("scans without a verdict: trivy's Java DB", () => {
  test("offline with no Java DB in cacheDir: images holding Java archives are kept, and the vulnerable image still goes", async () => {
    await importFresh();
    const config = scannerConfigFile(work, "offline", `cacheDir: ${freshCache("offline")}\noffline: true`);
    const { scanner, remover } = await runScanPipeline({ endpoint: node.containerd.endpoint, dir: work, name: "offline", config });
    assert.equal(scanner.exitCode, 0, scanner.stdout);
    assert.equal(remover.exitCode, 0, remover.stdout);
    for (const jar of [images.firstJar, images.secondJar]) {
      assert.equal(await present(jar), true, "not removed on the strength of a scan trivy could not finish");
      const decision = decisionOf(scanner, jar);
      assert.equal(decision?.["decision"], "kept");
      assert.match(String(decision?.["reason"]), /^java-db-unavailable: .*'--skip-java-db-update' cannot be specified on the first run/);
    }
    assert.equal(await present(images.vulnerable), false, "the vulnerable image is judged and removed");
    assert.equal(await present(images.clean), true);
    assert.equal(remover.result?.unjudged, 2, "the node's result counts the images kept without a verdict");
  });

  test("a Java DB repository that refuses, and none in cacheDir: Java images are kept, and the node asks the repository once", async () => {
    await importFresh();
    const trivy = recordingTrivy("refused");
    const config = scannerConfigFile(work, "refused", `cacheDir: ${freshCache("refused")}\n${refusingJavaDbRepo}`);
    const { scanner, remover } = await runScanPipeline({ endpoint: node.containerd.endpoint, dir: work, name: "refused", config, trivy: trivy.path });
    assert.equal(scanner.exitCode, 0, scanner.stdout);
    assert.equal(remover.exitCode, 0, remover.stdout);
    assert.equal(await present(images.firstJar), true);
    assert.equal(await present(images.secondJar), true);
    assert.equal(await present(images.vulnerable), false);
    const javaScans = trivy.calls().filter((call) => call.includes("jdb-java:"));
    assert.equal(javaScans.filter((call) => !call.includes("--skip-java-db-update")).length, 1, javaScans.join("\n"));
    const warning = scanner.logs.find((l) => String(l["msg"]).includes("Java DB"));
    assert.match(String(warning?.["reason"]), /failed to download artifact from 127\.0\.0\.1:9\/eraser-ts\/no-java-db/, "fetched from javaDbRepo");
  });

  test("a Java DB repository that refuses, and an earlier Java DB in cacheDir: Java images are judged with the one there", async () => {
    await importFresh();
    const cache = freshCache("stale");
    prepareStaleJavaDb(cache);
    const config = scannerConfigFile(work, "stale", `cacheDir: ${cache}\n${refusingJavaDbRepo}`);
    const { scanner, remover } = await runScanPipeline({ endpoint: node.containerd.endpoint, dir: work, name: "stale", config });
    assert.equal(scanner.exitCode, 0, scanner.stdout);
    assert.equal(remover.exitCode, 0, remover.stdout);
    for (const jar of [images.firstJar, images.secondJar]) {
      assert.equal(await present(jar), true);
      assert.deepEqual([decisionOf(scanner, jar)?.["decision"], decisionOf(scanner, jar)?.["reason"]], ["kept", "compliant"]);
    }
    assert.equal(await present(images.vulnerable), false);
    assert.equal(remover.result?.unjudged, 0);
  });
});

/** The real trivy, except for scans of the clean image, where `instead` runs (a shell line). */
function trivyExceptForClean(name: string, instead: string): string {
  const path = join(work, `trivy-${name}`);
  writeFileSync(path, `#!/bin/sh\nfor a in "$@"; do case "$a" in *jdb-clean*) ${instead};; esac; done\nexec ${trivyBinary} "$@"\n`, { mode: 0o755 });
  return path;
}

describe("scans without a verdict: trivy itself cut short", () => {
  async function runKeepingClean(name: string, trivy: string, reason: RegExp, scannerEnv: Record<string, string> = {}): Promise<void> {
    await importFresh();
    const config = scannerConfigFile(work, name, `cacheDir: ${freshCache(name)}\noffline: true`);
    const { scanner, remover } = await runScanPipeline({ endpoint: node.containerd.endpoint, dir: work, name, config, trivy, scannerEnv });
    assert.equal(scanner.exitCode, 0, scanner.stdout);
    assert.equal(decisionOf(scanner, images.clean)?.["decision"], "kept");
    assert.match(String(decisionOf(scanner, images.clean)?.["reason"]), reason);
    assert.equal(remover.exitCode, 0, remover.stdout);
    assert.equal(await present(images.clean), true, "kept: trivy never judged it");
    assert.equal(await present(images.vulnerable), false, "the vulnerable image is judged and removed");
    assert.equal(remover.result?.unjudged, 3, "the clean image, and the two Java images (offline, no Java DB)");
  }

  // trivy's memory grows with what it unpacks, so a large image can take it past the scanner's
  // limit; the kernel's OOM killer then kills trivy, not the scanner.
  test("a trivy killed by SIGKILL (as the OOM killer kills it) while it scans an image: that image is kept, not flagged, and its half-written export does not stay", async () => {
    // As trivy does: its own directory under TMPDIR, the image exported into it; then the kill.
    const halfExport = 'mkdir -p "$TMPDIR/trivy-1" && head -c 1048576 /dev/zero > "$TMPDIR/trivy-1/containerd-export-1" && kill -9 $$';
    const scannerTmp = join(work, "scanner-tmp");
    mkdirSync(scannerTmp, { recursive: true });
    await runKeepingClean("oom", trivyExceptForClean("oom", halfExport), /^trivy-killed: trivy was killed by SIGKILL before it judged the image \(most likely out of memory/, { TMPDIR: scannerTmp });
    assert.deepEqual(readdirSync(scannerTmp), [], "each trivy run's temporary directory goes with it");
  });

  // trivy exports each image from containerd into a temporary file first: on a node short of
  // disk, the one place an image cleaner is most wanted, a large image does not fit.
  test("a trivy out of disk space for one image: that image is kept, not flagged as a failed scan", async () => {
    const tiny = join(work, "tiny-tmp");
    mkdirSync(tiny, { recursive: true });
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=4k", "tmpfs", tiny]);
    try {
      await runKeepingClean("disk", trivyExceptForClean("disk", `export TMPDIR=${tiny}`), /^scanner-disk-full: trivy ran out of disk space for the image: .*no space left on device/);
    } finally {
      execFileSync("umount", [tiny]);
    }
  });

  test("a runtime trivy cannot reach for one scan (containerd restarting mid-run): that image is kept, not flagged as a failed scan", async () => {
    const away = trivyExceptForClean("away", "export CONTAINERD_ADDRESS=/run/ets-no-containerd.sock");
    await runKeepingClean("away", away, /^runtime-unreachable: trivy could not reach the container runtime: containerd socket not found: \/run\/ets-no-containerd\.sock/);
  });
});
