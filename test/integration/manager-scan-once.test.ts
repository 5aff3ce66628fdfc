// Scanning once per run (SPEC §3) on the real API server: an automatic job first runs its first
// wave alone, and starts the other nodes only once the first wave's scanners have reported; those
// pods mount the merged verdicts, which a restarted manager picks up instead of waiting again.
// Virtual nodes: the test plays each kubelet, writing the scanner's and the remover's messages.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import type { CoreV1Api, CustomObjectsApi, V1Pod } from "@kubernetes/client-node";
import { parseScannerConfig } from "../../src/api/config/load.ts";
import { formatShareReport, SharedVerdictsSchema, verdictFingerprint } from "../../src/api/scan-verdicts.ts";
import { completePod, type TestCluster } from "../harness/index.ts";
import { eventually, operatorNamespace, startManagerProcess, type ManagerProcess } from "../harness/manager-run.ts";
import { deleteAllEraserObjects, listImageJobs, nodeResult, optOutRealNodes, prepareManagerTest, setManagerConfig, workerPods } from "../harness/operator-fixtures.ts";

let cluster: TestCluster;
let core: CoreV1Api;
let custom: CustomObjectsApi;
const running: ManagerProcess[] = [];
const virtual = ["so-a", "so-b", "so-c", "so-d"];
const scannerConfig = "cacheDir: /var/lib/eraser-trivy\nscanOnce: { firstWaveNodes: 2 }";

const config = `apiVersion: eraser.sh/v1alpha3
kind: EraserConfig
manager:
  scheduling: { repeatInterval: 720h, beginImmediately: true }
  imageJob: { cleanup: { delayOnSuccess: 10m, delayOnFailure: 10m } }
components:
  collector: { enabled: true, image: { repo: example.test/worker, tag: s1 } }
  scanner:
    enabled: true
    image: { repo: example.test/worker-trivy, tag: s1 }
    config: |
${scannerConfig.replace(/^/gm, "      ")}
  remover: { image: { repo: example.test/worker, tag: s1 } }
`;

const imageId = (seed: string): string => `sha256:${createHash("sha256").update(seed).digest("hex")}`;
const vulnerable = imageId("vulnerable");
const clean = imageId("clean");
const disputed = imageId("disputed");
const fingerprint = verdictFingerprint(parseScannerConfig(scannerConfig).config);
const nodeOf = (pod: V1Pod): string => pod.spec?.nodeName ?? "";
const scannerArgs = (pod: V1Pod): string[] => pod.spec?.containers.find((c) => c.name === "trivy-scanner")?.args ?? [];

async function finishScanning(pod: V1Pod, verdicts: { flagged: string[]; compliant: string[] }, scans = { scanned: verdicts.flagged.length + verdicts.compliant.length, scansReused: 0 }): Promise<void> {
  await completePod(core, operatorNamespace, pod.metadata?.name ?? "", {
    collector: { exitCode: 0 },
    "trivy-scanner": { exitCode: 0, message: formatShareReport(fingerprint, verdicts) },
    remover: { exitCode: 0, message: nodeResult(verdicts.flagged.length, { vulnerable: verdicts.flagged.length, ...scans }) },
  });
}

before(async () => {
  ({ cluster, core, custom } = await prepareManagerTest(virtual.map((name) => ({ name }))));
  await core.deleteNamespacedConfigMap({ name: "eraser-schedule", namespace: operatorNamespace }).catch(() => undefined);
  await setManagerConfig(core, config);
});

after(async () => {
  // node:test skips `before` when a name filter leaves no test here, but still runs `after`.
  if ((cluster as TestCluster | undefined) === undefined) return;
  for (const m of running) await m.stop({ kill: true });
  await deleteAllEraserObjects(custom);
  await setManagerConfig(core, config.replace("enabled: true, image", "enabled: false, image"));
  for (const name of virtual) await cluster.deleteNode(name);
  await optOutRealNodes(cluster, false);
});

describe("scan once per run", () => {
  test("the first wave runs alone and shares; the rest start after it, mounting the merged verdicts, across a manager restart", async () => {
    const first = await startManagerProcess(cluster);
    running.push(first);
    const job = await eventually("an automatic job", async () => (await listImageJobs(custom)).find((j) => j.status?.mode === "automatic")?.metadata.name);
    const wave1 = await eventually("the first wave's pods", async () => {
      const pods = await workerPods(core, job);
      return pods.length === 2 ? pods : undefined;
    });
    assert.deepEqual(wave1.map(nodeOf).sort(), ["so-a", "so-c"], "two nodes, spread over the four");
    for (const pod of wave1) assert.ok(scannerArgs(pod).includes("--share-verdicts"), "first-wave scanners report their verdicts");

    // One first-wave node finishes; the other is still scanning: nobody else may start yet.
    const [a, c] = [wave1.find((p) => nodeOf(p) === "so-a")!, wave1.find((p) => nodeOf(p) === "so-c")!];
    await finishScanning(a, { flagged: [vulnerable, disputed], compliant: [clean] });
    await eventually("the manager to count the finished first-wave node", async () => ((await listImageJobs(custom)).find((j) => j.metadata.name === job)?.status?.succeeded === 1 ? true : undefined));
    assert.equal((await workerPods(core, job)).length, 2, "no second-wave pod while a first-wave scanner runs");

    // The manager restarts in between; it must still wait, then share.
    await first.stop({ kill: true });
    const second = await startManagerProcess(cluster);
    running.push(second);
    await second.waitForLog(/Started leading/, 40_000);
    await finishScanning(c, { flagged: [], compliant: [clean, disputed] });

    const all = await eventually("every node's pod", async () => {
      const pods = await workerPods(core, job);
      return pods.length === 4 ? pods : undefined;
    });
    const verdictsMap = await core.readNamespacedConfigMap({ name: `${job}-verdicts`, namespace: operatorNamespace });
    assert.equal(verdictsMap.metadata?.ownerReferences?.[0]?.name, job, "the verdicts go with the job");
    const verdicts = SharedVerdictsSchema.parse(JSON.parse(verdictsMap.data?.["verdicts.json"] ?? ""));
    assert.equal(verdicts.config, fingerprint);
    assert.deepEqual(verdicts.images, { [vulnerable]: { flagged: true, node: "so-a" }, [clean]: { flagged: false, node: "so-a" } }, "the image the two nodes disagreed on is scanned again");
    for (const pod of all.filter((p) => nodeOf(p) === "so-b" || nodeOf(p) === "so-d")) {
      assert.ok(scannerArgs(pod).includes("--verdicts=/run/eraser.sh/verdicts/verdicts.json"), `${nodeOf(pod)} reuses the verdicts`);
      assert.ok(!scannerArgs(pod).includes("--share-verdicts"));
      assert.equal(pod.spec?.volumes?.find((v) => v.name === "scan-verdicts")?.configMap?.name, `${job}-verdicts`);
    }
    const shared = await eventually("the ScanVerdictsShared Event", async () => {
      const events = await core.listNamespacedEvent({ namespace: "default", fieldSelector: `involvedObject.name=${job}` });
      return events.items.find((e) => e.reason === "ScanVerdictsShared");
    });
    assert.match(shared.message ?? "", /the first 2 nodes shared 2 scan verdicts, 1 non-compliant \(1 left out, see the manager's log\); the other 2 nodes start now/);

    for (const pod of all.filter((p) => nodeOf(p) === "so-b" || nodeOf(p) === "so-d")) await finishScanning(pod, { flagged: [], compliant: [] }, { scanned: 1, scansReused: 2 });
    const done = await eventually("the job to complete", async () => {
      const j = (await listImageJobs(custom)).find((x) => x.metadata.name === job);
      return j?.status?.phase === "Completed" ? j : undefined;
    });
    assert.equal(done.status?.succeeded, 4);
    assert.deepEqual([done.status?.scanned, done.status?.scansReused], [3 + 2 + 1 + 1, 2 + 2], "the nodes' scan counts, summed into the status");
  });
});
