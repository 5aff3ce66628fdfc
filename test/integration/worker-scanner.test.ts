// collector -> trivy-scanner -> remover with the real trivy (v0.74.0) and an offline DB built
// from trivy's own fixtures, on a real node's containerd.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseScannerConfig } from "../../src/api/config/load.ts";
import { parseShareReport, unpackImageId, verdictFingerprint } from "../../src/api/scan-verdicts.ts";
import { GrpcCriClient } from "../../src/cri/grpc-client.ts";
import { mergeShareReports } from "../../src/manager/scan-once/merge.ts";
import { buildImageLayout, cleanImage, importImages, sharedCluster, vulnerableAlpineImage, type BuiltImage, type RealNode } from "../harness/index.ts";
import { trivyVersion } from "../harness/paths.ts";
import { prepareTrivyDb, trivyBinary } from "../harness/trivy.ts";
import { eventually } from "../harness/manager-run.ts";
import { runScanPipeline, scannerConfigFile } from "../harness/scan-pipeline.ts";
import { ensureWorkerBuilt, runWorker, workerBinary } from "../harness/worker-run.ts";

const work = mkdtempSync("/tmp/ets-scan-");
const cache = join(work, "trivy-cache");
let node: RealNode;
let cri: GrpcCriClient;
let images: Record<"vulnerable" | "clean" | "excludedVulnerable", BuiltImage>;

const configFile = (name: string, scannerConfig: string): string => scannerConfigFile(work, name, scannerConfig);

function pipeline(name: string, config: string, trivy = trivyBinary, scannerArgs: string[] = [], removerArgs: string[] = []): ReturnType<typeof runScanPipeline> {
  const excluded = ["docker.io/library/ws-vulnerable-but-excluded:*"];
  return runScanPipeline({ endpoint: node.containerd.endpoint, dir: work, name, config, excluded, trivy, scannerArgs, removerArgs });
}

const present = async (image: BuiltImage): Promise<boolean> => (await cri.listImages()).some((i) => i.id === image.id);

before(async () => {
  ensureWorkerBuilt();
  prepareTrivyDb(cache);
  const cluster = await sharedCluster();
  const second = cluster.realNodes()[1];
  assert.ok(second, "a second real node");
  node = second;
  cri = new GrpcCriClient(node.containerd.endpoint);
});
after(() => {
  // node:test skips `before` when a name filter leaves no test here, but still runs `after`.
  if ((cri as GrpcCriClient | undefined) === undefined) return;
  cri.close();
  rmSync(work, { recursive: true, force: true });
});

async function importFresh(): Promise<void> {
  const tar = join(work, "images.tar");
  const [vulnerable, clean, excludedVulnerable] = buildImageLayout(
    [vulnerableAlpineImage("docker.io/library/ws-vulnerable:3.9"), cleanImage("docker.io/library/ws-clean:1"), vulnerableAlpineImage("docker.io/library/ws-vulnerable-but-excluded:3.9")],
    tar,
  );
  images = { vulnerable: vulnerable!, clean: clean!, excludedVulnerable: excludedVulnerable! };
  await importImages(node.containerd, tar);
}

describe("scanner pipeline with the real trivy", () => {
  test("the scanner's trivy is the pinned release, not an unstamped dev build", () => {
    // A build without the version stamp reports "dev" in `--version` and in every JSON report.
    assert.equal(execFileSync(trivyBinary, ["--version"], { encoding: "utf8" }).trim().split("\n")[0], `Version: ${trivyVersion.replace(/^v/, "")}`);
  });

  test("with severities [LOW] and deleteEOLImages off, the Alpine 3.9 image is kept (trivy reports nothing LOW)", async () => {
    await importFresh();
    const config = configFile("low", `cacheDir: ${cache}\noffline: true\ndeleteEOLImages: false\nvulnerabilities:\n  severities: [LOW]`);
    const { scanner, remover } = await pipeline("low", config);
    assert.equal(scanner.exitCode, 0, scanner.stdout);
    assert.equal(remover.exitCode, 0, remover.stdout);
    assert.ok(await present(images.vulnerable), "kept");
    assert.equal(remover.result?.removed, 0);
  });

  test("the Alpine 3.9 image (CRITICAL, end of life) is flagged and removed; a clean one and an excluded vulnerable one are kept", async () => {
    await importFresh();
    const config = configFile("default", `cacheDir: ${cache}\noffline: true`);
    const { scanner, remover } = await pipeline("default", config);
    assert.equal(scanner.exitCode, 0, scanner.stdout);
    const flagged = scanner.logs.find((l) => l["decision"] === "flagged" && l["image"] === images.vulnerable.id);
    assert.ok(flagged, "the scanner logs why it flagged the image");
    assert.match(JSON.stringify(flagged["reasons"]), /CRITICAL.*end-of-life OS: alpine 3\.9\.4/);
    assert.equal(remover.exitCode, 0, remover.stdout);
    assert.equal(await present(images.vulnerable), false, "removed");
    assert.equal(await present(images.clean), true, "clean image kept");
    assert.equal(await present(images.excludedVulnerable), true, "excluded vulnerable image kept");
    assert.ok((remover.result?.vulnerable ?? 0) >= 1);
  });

  test("a scan that outlasts the remover's --wait-timeout is waited for while the scanner shows signs of life", async () => {
    await importFresh();
    // The real trivy, slow to start once: a first DB load or a large image takes minutes on a node.
    const slowTrivy = join(work, "slow-trivy");
    writeFileSync(slowTrivy, `#!/bin/sh\nif [ ! -e "$0.slept" ]; then touch "$0.slept"; sleep 4; fi\nexec ${trivyBinary} "$@"\n`, { mode: 0o755 });
    const config = configFile("slow", `cacheDir: ${cache}\noffline: true`);
    const { scanner, remover } = await pipeline("slow", config, slowTrivy, [], ["--wait-timeout=1"]);
    assert.equal(scanner.exitCode, 0, scanner.stdout);
    assert.equal(remover.exitCode, 0, remover.result?.error ?? remover.stdout);
    assert.equal(await present(images.vulnerable), false, "removed once the scan was done");
    assert.equal(await present(images.clean), true);
  });

  test("a scanner killed mid-scan, as by the OOM killer, stops its remover within --liveness-timeout, removing nothing", async () => {
    await importFresh();
    const hangingTrivy = join(work, "hanging-trivy");
    writeFileSync(hangingTrivy, "#!/bin/sh\nexec sleep 600\n", { mode: 0o755 });
    const shared = join(work, "shared-killed");
    const common = [`--runtime-endpoint=${node.containerd.endpoint}`, `--shared-dir=${shared}`];
    // A wait timeout the liveness check must beat: were it missed, the error would say so.
    const remover = runWorker(["remover", ...common, "--liveness-timeout=3", "--wait-timeout=120"]);
    assert.equal((await runWorker(["collector", ...common])).exitCode, 0);
    const config = configFile("killed", `cacheDir: ${cache}\noffline: true`);
    // Killed, it cannot remove its trivy run's TMPDIR: in a pod that goes with the container, here with the test's directory.
    const scanner = spawn(process.execPath, [workerBinary, "trivy-scanner", ...common, `--config=${config}`, `--trivy-path=${hangingTrivy}`], { detached: true, stdio: "ignore", env: { ...process.env, TMPDIR: work } });
    await eventually("the scanner to start", () => Promise.resolve(existsSync(join(shared, "trivy-scanner.alive")) ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 1500)); // into its first trivy run
    process.kill(-(scanner.pid ?? 0), "SIGKILL"); // the scanner and its trivy, with no chance to clean up
    const result = await remover;
    assert.equal(result.exitCode, 1);
    assert.match(result.result?.error ?? "", /trivy-scanner stopped without finishing \(no sign of life for \d+ s: killed, or out of memory\?\); removing nothing/);
    assert.equal(await present(images.vulnerable), true, "nothing removed");
  });

  test("a missing trivy fails the scanner with a message naming it, and the remover removes nothing", async () => {
    await importFresh();
    const config = configFile("missing", `cacheDir: ${cache}\noffline: true`);
    const { scanner, remover } = await pipeline("missing", config, "/nonexistent/trivy");
    assert.equal(scanner.exitCode, 1);
    assert.match(remover.result?.error ?? "", /trivy-scanner failed: trivy not found at "\/nonexistent\/trivy"/);
    assert.equal(await present(images.vulnerable), true, "nothing removed on the strength of a scan that did not run");
  });

  // deleteFailedImages (on by default) is for an image trivy cannot scan, not for a scanner with
  // no DB: that would remove every unused image, as a prune does, when the user asked for the
  // vulnerable ones.
  test("trivy's DB cannot be fetched (a registry that refuses, a rate limit): the scanner fails naming it, and the node removes nothing", async () => {
    await importFresh();
    const config = configFile("no-db", `cacheDir: ${join(work, "empty-cache")}
dbRepo: 127.0.0.1:9/eraser-ts/no-trivy-db`);
    const { scanner, remover } = await pipeline("no-db", config);
    assert.equal(scanner.exitCode, 1);
    assert.match(remover.result?.error ?? "", /trivy-scanner failed: trivy could not get its vulnerability DB from 127\.0\.0\.1:9\/eraser-ts\/no-trivy-db: /);
    assert.equal(await present(images.vulnerable), true, "nothing removed");
    assert.equal(await present(images.clean), true, "nothing removed");
  });

  // During weeks of ghcr.io rate limits, a node with yesterday's DB should go on cleaning: an
  // earlier DB only misses what was published since, so it flags fewer images, never more.
  test("trivy's DB cannot be refreshed, but cacheDir holds an earlier one: the scanner judges with it, and says so", async () => {
    await importFresh();
    const earlier = join(work, "earlier-cache");
    prepareTrivyDb(earlier);
    const metadataFile = join(earlier, "db", "metadata.json");
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000).toISOString();
    const metadata = JSON.parse(readFileSync(metadataFile, "utf8")) as Record<string, unknown>;
    writeFileSync(metadataFile, JSON.stringify({ ...metadata, NextUpdate: twoDaysAgo, UpdatedAt: twoDaysAgo, DownloadedAt: twoDaysAgo }));
    const config = configFile("earlier-db", `cacheDir: ${earlier}\ndbRepo: 127.0.0.1:9/eraser-ts/no-trivy-db`);
    const { scanner, remover } = await pipeline("earlier-db", config);
    assert.equal(scanner.exitCode, 0, scanner.stdout);
    const warning = scanner.logs.find((l) => String(l["msg"]).startsWith("trivy could not refresh its vulnerability DB"));
    assert.equal(warning?.["dbUpdatedAt"], twoDaysAgo);
    assert.match(String(warning?.["reason"]), /from 127\.0\.0\.1:9\/eraser-ts\/no-trivy-db: /);
    assert.equal(remover.exitCode, 0, remover.stdout);
    assert.equal(await present(images.vulnerable), false, "judged with the earlier DB, and removed");
    assert.equal(await present(images.clean), true);
  });

  test("a trivy that can read no image (the runtime is not a containerd it reaches): the scanner fails, and the node removes nothing", async () => {
    await importFresh();
    // The real trivy, pointed at a containerd socket that is not there: every scan fails, as on a
    // runtime whose images trivy cannot read.
    const blindTrivy = join(work, "blind-trivy");
    writeFileSync(blindTrivy, `#!/bin/sh\nCONTAINERD_ADDRESS=/run/ets-no-containerd.sock exec ${trivyBinary} "$@"\n`, { mode: 0o755 });
    const config = configFile("blind", `cacheDir: ${cache}\noffline: true`);
    const { scanner, remover } = await pipeline("blind", config, blindTrivy);
    assert.equal(scanner.exitCode, 1);
    assert.match(remover.result?.error ?? "", /trivy-scanner failed: trivy judged none of the \d+ images it scanned on this node, so nothing is flagged; the first failure: runtime-unreachable: trivy could not reach the container runtime: containerd socket not found: \/run\/ets-no-containerd\.sock/);
    assert.equal(await present(images.vulnerable), true, "nothing removed");
    assert.equal(await present(images.clean), true, "nothing removed");
  });

  test("one image trivy cannot scan, among images it judges: deleteFailedImages flags that one, as in Eraser", async () => {
    await importFresh();
    const pickyTrivy = join(work, "picky-trivy");
    writeFileSync(pickyTrivy, `#!/bin/sh\nfor a in "$@"; do case "$a" in *ws-clean*) echo "cannot read $a" >&2; exit 1;; esac; done\nexec ${trivyBinary} "$@"\n`, { mode: 0o755 });
    const config = configFile("picky", `cacheDir: ${cache}\noffline: true`);
    const { scanner, remover } = await pipeline("picky", config, pickyTrivy);
    assert.equal(scanner.exitCode, 0, scanner.stdout);
    const failedScan = scanner.logs.find((l) => l["image"] === images.clean.id);
    assert.deepEqual([failedScan?.["decision"], String(failedScan?.["reason"]).startsWith("scan failed: trivy exited 1: ")], ["flagged", true]);
    assert.equal(remover.exitCode, 0, remover.stdout);
    assert.equal(await present(images.clean), false, "the image that failed its scan is removed");
    assert.equal(await present(images.vulnerable), false, "the vulnerable one too");
  });

  test("offline with no DB in cacheDir: the scanner fails naming the directory, and the node removes nothing", async () => {
    await importFresh();
    const empty = join(work, "empty-offline-cache");
    const config = configFile("offline-no-db", `cacheDir: ${empty}
offline: true`);
    const { scanner, remover } = await pipeline("offline-no-db", config);
    assert.equal(scanner.exitCode, 1);
    assert.match(remover.result?.error ?? "", new RegExp(`trivy-scanner failed: offline is on, but ${empty}/db holds no trivy vulnerability DB`));
    assert.equal(await present(images.vulnerable), true, "nothing removed");
    assert.equal(await present(images.clean), true, "nothing removed");
  });
});

describe("scanning once per run, between two nodes' scanners", () => {
  const scannerConfig = `cacheDir: ${cache}\noffline: true`;
  const fingerprint = verdictFingerprint(parseScannerConfig(scannerConfig).config);
  let verdictsFile = "";

  test("a first-wave scanner reports what trivy judged in its termination message", async () => {
    await importFresh();
    const report = join(work, "scanner-termination-log");
    const { scanner, remover } = await pipeline("share", configFile("share", scannerConfig), trivyBinary, ["--share-verdicts", `--termination-log=${report}`]);
    assert.equal(scanner.exitCode, 0, scanner.stdout);
    assert.equal(remover.exitCode, 0, remover.stdout);
    const parsed = parseShareReport(readFileSync(report, "utf8"));
    assert.ok(parsed.ok, parsed.ok ? "" : parsed.reason);
    assert.equal(parsed.report.config, fingerprint);
    // The node may hold other tests' unused images too: each is in the report, judged by trivy.
    const [flagged, compliant] = [parsed.report.flagged.map(unpackImageId), parsed.report.compliant.map(unpackImageId)];
    const seen = JSON.stringify({ flagged, compliant, omitted: parsed.report.omitted });
    assert.ok(flagged.includes(images.vulnerable.id) && !compliant.includes(images.vulnerable.id), `the vulnerable image is reported non-compliant: ${seen}`);
    assert.ok(compliant.includes(images.clean.id) && !flagged.includes(images.clean.id), `the clean image is reported compliant: ${seen}`);
    assert.ok(!flagged.includes(images.excludedVulnerable.id) && !compliant.includes(images.excludedVulnerable.id), "an excluded image is no candidate, so never scanned or shared");
    assert.equal(parsed.report.omitted, 0);
    assert.ok((remover.result?.scanned ?? 0) >= 2 && remover.result?.scansReused === 0, `the node result counts its own scans: ${JSON.stringify(remover.result)}`);
    // What the manager mounts into the nodes after the first wave.
    verdictsFile = join(work, "verdicts.json");
    writeFileSync(verdictsFile, JSON.stringify(mergeShareReports([{ node: "first-node", message: readFileSync(report, "utf8") }], fingerprint).verdicts));
  });

  test("a later node reuses them: with every candidate covered it never runs trivy, and removes what the first node's scan flagged", async () => {
    assert.notEqual(verdictsFile, "", "the first-wave test ran");
    await importFresh();
    const { scanner, remover } = await pipeline("reuse", configFile("reuse", scannerConfig), "/nonexistent/trivy", [`--verdicts=${verdictsFile}`]);
    assert.equal(scanner.exitCode, 0, `no trivy was needed:\n${scanner.stdout}`);
    const flagged = scanner.logs.find((l) => l["decision"] === "flagged" && l["image"] === images.vulnerable.id);
    assert.equal(flagged?.["scannedOn"], "first-node");
    assert.equal(flagged?.["reason"], "shared-verdict");
    const done = scanner.logs.find((l) => l["msg"] === "Scan finished");
    assert.equal(done?.["scanned"], 0, "every candidate was covered");
    assert.ok(Number(done?.["reused"]) >= 2, JSON.stringify(done));
    assert.equal(remover.exitCode, 0, remover.stdout);
    assert.equal(await present(images.vulnerable), false, "removed on the first node's verdict");
    assert.equal(await present(images.clean), true, "kept on the first node's verdict");
    assert.equal(remover.result?.vulnerable, 1);
    assert.equal(remover.result?.scanned, 0);
    assert.ok((remover.result?.scansReused ?? 0) >= 2, JSON.stringify(remover.result));
  });

  test("an image the verdicts do not cover is still scanned: without trivy the node removes nothing", async () => {
    await importFresh();
    const partial = join(work, "verdicts-partial.json");
    const all = JSON.parse(readFileSync(verdictsFile, "utf8")) as { images: Record<string, unknown> };
    writeFileSync(partial, JSON.stringify({ ...all, images: { [images.vulnerable.id]: all.images[images.vulnerable.id] } }));
    const { scanner, remover } = await pipeline("partial", configFile("partial", scannerConfig), "/nonexistent/trivy", [`--verdicts=${partial}`]);
    assert.equal(scanner.exitCode, 1, "the clean image needed trivy");
    assert.match(remover.result?.error ?? "", /trivy not found/);
    assert.equal(await present(images.vulnerable), true, "nothing removed when the scan failed");
  });

  test("verdicts made under other settings are not used: with severities [LOW], the node's own trivy keeps the image they flagged", async () => {
    assert.notEqual(verdictsFile, "", "the first-wave test ran");
    await importFresh();
    const low = configFile("low-reuse", `cacheDir: ${cache}\noffline: true\ndeleteEOLImages: false\nvulnerabilities:\n  severities: [LOW]`);
    const { scanner, remover } = await pipeline("low-reuse", low, trivyBinary, [`--verdicts=${verdictsFile}`]);
    assert.equal(scanner.exitCode, 0, scanner.stdout);
    assert.ok(scanner.logs.some((l) => l["level"] === "warn" && String(l["msg"]).includes('other scanner settings')), "the scanner says why it ignored them");
    assert.equal(remover.exitCode, 0, remover.stdout);
    assert.equal(await present(images.vulnerable), true, "kept: nothing LOW, whatever the other settings said");
  });
});
