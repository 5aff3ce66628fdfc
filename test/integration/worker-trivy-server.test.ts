// A trivy server holds the one vulnerability DB for the cluster (scanner config `server`): each
// node's trivy runs in client mode, so no node downloads the DB. A server that cannot be reached,
// before or during the run, fails the scanner and the node removes nothing, rather than counting
// each scan as failed and, with deleteFailedImages on, removing every candidate.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GrpcCriClient } from "../../src/cri/grpc-client.ts";
import { buildImageLayout, cleanImage, importImages, startContainerd, vulnerableAlpineImage, type BuiltImage, type ContainerdInstance } from "../harness/index.ts";
import { runScanPipeline, scannerConfigFile } from "../harness/scan-pipeline.ts";
import { trivyBinary } from "../harness/trivy.ts";
import { freePort, startTrivyServer, type TrivyServer } from "../harness/trivy-server.ts";
import { ensureWorkerBuilt } from "../harness/worker-run.ts";

const work = mkdtempSync("/tmp/ets-tsrv-");
let containerd: ContainerdInstance;
let cri: GrpcCriClient;
let server: TrivyServer;

before(async () => {
  ensureWorkerBuilt();
  containerd = await startContainerd({ name: "trivy-server", baseDir: join(work, "ctd"), release: "2" });
  cri = new GrpcCriClient(containerd.endpoint);
  server = await startTrivyServer(work);
});
after(async () => {
  if ((cri as GrpcCriClient | undefined) === undefined) return;
  cri.close();
  await (server as TrivyServer | undefined)?.stop();
  await containerd.stop();
  rmSync(work, { recursive: true, force: true });
});

async function importFresh(run: string): Promise<{ vulnerable: BuiltImage; clean: BuiltImage; other: BuiltImage }> {
  const tar = join(work, `${run}.tar`);
  const [vulnerable, clean, other] = buildImageLayout([vulnerableAlpineImage(`docker.io/library/ts-vulnerable-${run}:3.9`), cleanImage(`docker.io/library/ts-clean-${run}:1`), cleanImage(`docker.io/library/ts-other-${run}:1`)], tar);
  assert.ok(vulnerable !== undefined && clean !== undefined && other !== undefined);
  await importImages(containerd, tar);
  return { vulnerable, clean, other };
}
const present = async (image: BuiltImage): Promise<boolean> => (await cri.listImages()).some((i) => i.id === image.id);

/** A client-mode config whose own DB could never be had: an empty cacheDir and a dbRepo that refuses. */
const clientConfig = (run: string, url: string): string =>
  scannerConfigFile(work, run, `cacheDir: ${join(work, `client-cache-${run}`)}\ndbRepo: 127.0.0.1:9/eraser-ts/no-trivy-db\nserver: ${url}`);

describe("scanning against a trivy server", () => {
  test("a node with no DB of its own flags the vulnerable image by the server's DB and removes it; clean ones stay", async () => {
    const images = await importFresh("ok");
    const { scanner, remover } = await runScanPipeline({ endpoint: containerd.endpoint, dir: work, name: "ok", config: clientConfig("ok", server.url) });
    assert.equal(scanner.exitCode, 0, scanner.stdout);
    const flagged = scanner.logs.find((l) => l["decision"] === "flagged" && l["image"] === images.vulnerable.id);
    assert.match(JSON.stringify(flagged?.["reasons"]), /CRITICAL.*end-of-life OS: alpine 3\.9\.4/);
    assert.equal(remover.exitCode, 0, remover.stdout);
    assert.equal(await present(images.vulnerable), false, "removed");
    assert.equal(await present(images.clean), true, "kept");
    assert.equal(await present(images.other), true, "kept");
  });

  test("a server that cannot be reached fails the scanner naming it, and the node removes nothing", async () => {
    const images = await importFresh("down");
    const nobody = `http://127.0.0.1:${await freePort()}`;
    const { scanner, remover } = await runScanPipeline({ endpoint: containerd.endpoint, dir: work, name: "down", config: clientConfig("down", nobody) });
    assert.equal(scanner.exitCode, 1);
    assert.match(remover.result?.error ?? "", new RegExp(`trivy-scanner failed: the trivy server at ${nobody} cannot be reached: .*ECONNREFUSED`));
    for (const image of Object.values(images)) assert.equal(await present(image), true, "nothing removed");
  });

  test("a server that wants a token: the scanner's TRIVY_TOKEN (from the pod's Secret) gets its scans judged; none, or a wrong one, fails the scanner and removes nothing", async () => {
    // The server reads its token from the environment, as the manifest gives it from the Secret.
    const guarded = await startTrivyServer(join(work, "token-server"), ["server"], { env: { TRIVY_TOKEN: "s3cret" } });
    try {
      const right = await importFresh("token");
      const ok = await runScanPipeline({ endpoint: containerd.endpoint, dir: work, name: "token", config: clientConfig("token", guarded.url), scannerEnv: { TRIVY_TOKEN: "s3cret" } });
      assert.equal(ok.scanner.exitCode, 0, ok.scanner.stdout);
      assert.equal(await present(right.vulnerable), false, "removed with the right token");
      assert.equal(await present(right.clean), true);

      const images = await importFresh("no-token");
      for (const [run, token] of [["no-token", undefined], ["wrong-token", "guess"]] as const) {
        const env: Record<string, string> = token === undefined ? {} : { TRIVY_TOKEN: token };
        const { scanner, remover } = await runScanPipeline({ endpoint: containerd.endpoint, dir: work, name: run, config: clientConfig(run, guarded.url), scannerEnv: env });
        assert.equal(scanner.exitCode, 1, run);
        assert.match(remover.result?.error ?? "", new RegExp(`trivy-scanner failed: the trivy server at ${guarded.url} refused the scan \\(is TRIVY_TOKEN, from Secret eraser-trivy-token, the server's token\\?\\): .*twirp error unauthenticated`), run);
        for (const image of Object.values(images)) assert.equal(await present(image), true, `${run}: nothing removed`);
      }
    } finally {
      await guarded.stop();
    }
  });

  test("a server that stops answering mid-run fails the scanner, and the node removes nothing", async () => {
    const images = await importFresh("lost");
    const own = await startTrivyServer(join(work, "lost-server"));
    // The real trivy; after its first scan the server goes, as a server pod evicted mid-run does.
    const trivyThenKill = join(work, "trivy-then-kill");
    writeFileSync(trivyThenKill, `#!/bin/sh\n${trivyBinary} "$@"\nrc=$?\nkill -9 ${own.pid} 2>/dev/null\nexit $rc\n`, { mode: 0o755 });
    try {
      const { scanner, remover } = await runScanPipeline({ endpoint: containerd.endpoint, dir: work, name: "lost", config: clientConfig("lost", own.url), trivy: trivyThenKill });
      assert.equal(scanner.exitCode, 1);
      assert.match(remover.result?.error ?? "", new RegExp(`trivy-scanner failed: the trivy server at ${own.url} cannot be reached`));
      for (const image of Object.values(images)) assert.equal(await present(image), true, "nothing removed");
    } finally {
      await own.stop();
    }
  });
});
