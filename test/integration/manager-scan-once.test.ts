// Scanning once per run (SPEC §3) on the real API server: an automatic job first runs its first
// wave alone, chosen by the images the nodes' kubelets list, and starts the other nodes only once
// the first wave's scanners have reported; those pods mount the merged verdicts, which a restarted
// manager picks up instead of waiting again. Virtual nodes: the test plays each kubelet, writing
// each Node's image list and the scanner's and the remover's messages.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { PatchStrategy, setHeaderOptions, type CoreV1Api, type CustomObjectsApi, type V1ContainerImage, type V1Pod } from "@kubernetes/client-node";
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
// so-a and so-c hold one pool's images, so-b and so-d another's, larger: the name spread (so-a and
// so-c) would scan the second pool's images on both its nodes.
const statusImages = (pool: string, count: number): V1ContainerImage[] =>
  Array.from({ length: count }, (_, i) => ({ names: [`example.test/${pool}/svc-${i}@sha256:${createHash("sha256").update(`${pool}/${i}`).digest("hex")}`, `example.test/${pool}/svc-${i}:v1`], sizeBytes: 1_000_000 }));
const poolOf = (node: string): V1ContainerImage[] => (node === "so-a" || node === "so-c" ? statusImages("web", 3) : statusImages("batch", 4));
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

async function finishScanning(pod: V1Pod, verdicts: { flagged: string[]; compliant: string[] }, scans: { scanned: number; scansReused: number; unjudged?: number } = { scanned: verdicts.flagged.length + verdicts.compliant.length, scansReused: 0 }): Promise<void> {
  await completePod(core, operatorNamespace, pod.metadata?.name ?? "", {
    collector: { exitCode: 0 },
    "trivy-scanner": { exitCode: 0, message: formatShareReport(fingerprint, verdicts) },
    remover: { exitCode: 0, message: nodeResult(verdicts.flagged.length, { vulnerable: verdicts.flagged.length, ...scans }) },
  });
}

before(async () => {
  ({ cluster, core, custom } = await prepareManagerTest(virtual.map((name) => ({ name, status: { images: poolOf(name) } }))));
  await core.deleteNamespacedConfigMap({ name: "eraser-schedule", namespace: operatorNamespace }).catch(() => undefined);
  await setManagerConfig(core, config);
});

after(async () => {
  // node:test skips `before` when a name filter leaves no test here, but still runs `after`.
  if ((cluster as TestCluster | undefined) === undefined) return;
  for (const m of running) await m.stop({ kill: true });
  await deleteAllEraserObjects(custom);
  await setManagerConfig(core, config.replace("enabled: true, image", "enabled: false, image"));
  for (const name of [...virtual, "so-e"]) await cluster.deleteNode(name);
  await optOutRealNodes(cluster, false);
});

describe("scan once per run", () => {
  test("the first wave, chosen by the images the nodes hold, runs alone and shares; the rest start after it, mounting the merged verdicts, across a manager restart", async () => {
    const first = await startManagerProcess(cluster);
    running.push(first);
    const job = await eventually("an automatic job", async () => (await listImageJobs(custom)).find((j) => j.status?.mode === "automatic")?.metadata.name);
    const wave1 = await eventually("the first wave's pods", async () => {
      const pods = await workerPods(core, job);
      return pods.length === 2 ? pods : undefined;
    });
    assert.deepEqual(wave1.map(nodeOf).sort(), ["so-a", "so-b"], "one node of each pool, the larger pool's first");
    for (const pod of wave1) assert.ok(scannerArgs(pod).includes("--share-verdicts"), "first-wave scanners report their verdicts");
    const targets = await core.readNamespacedConfigMap({ name: `${job}-nodes`, namespace: operatorNamespace });
    assert.equal(targets.data?.["firstWave"], "so-a\nso-b", "the first wave is kept with the job's nodes");
    const started = await eventually("the JobStarted Event", async () => (await core.listNamespacedEvent({ namespace: "default", fieldSelector: `involvedObject.name=${job}` })).items.find((e) => e.reason === "JobStarted"));
    assert.match(started.message ?? "", /^automatic job started: 4 of \d+ nodes selected; first to scan, for the others to reuse: so-a, so-b$/, "the real nodes are filtered out");
    await first.waitForLog(/"nodes":\["so-a","so-b"\],"sharedImagesCovered":7,"sharedImages":7,"msg":"Chose the first wave by the images the nodes hold"/);

    // One first-wave node finishes; the other is still scanning: nobody else may start yet.
    const [a, b] = [wave1.find((p) => nodeOf(p) === "so-a")!, wave1.find((p) => nodeOf(p) === "so-b")!];
    await finishScanning(a, { flagged: [vulnerable, disputed], compliant: [clean] });
    await eventually("the manager to count the finished first-wave node", async () => ((await listImageJobs(custom)).find((j) => j.metadata.name === job)?.status?.succeeded === 1 ? true : undefined));
    assert.equal((await workerPods(core, job)).length, 2, "no second-wave pod while a first-wave scanner runs");

    // The manager restarts in between; it must still wait for the same first wave, then share,
    // though so-b's kubelet now lists the other pool's images (a choice made now would be so-c).
    await first.stop({ kill: true });
    await core.patchNodeStatus({ name: "so-b", body: { status: { images: poolOf("so-a") } } }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
    const second = await startManagerProcess(cluster);
    running.push(second);
    await second.waitForLog(/Started leading/, 40_000);
    await finishScanning(b, { flagged: [], compliant: [clean, disputed] });

    const all = await eventually("every node's pod", async () => {
      const pods = await workerPods(core, job);
      return pods.length === 4 ? pods : undefined;
    });
    const verdictsMap = await core.readNamespacedConfigMap({ name: `${job}-verdicts`, namespace: operatorNamespace });
    assert.equal(verdictsMap.metadata?.ownerReferences?.[0]?.name, job, "the verdicts go with the job");
    const verdicts = SharedVerdictsSchema.parse(JSON.parse(verdictsMap.data?.["verdicts.json"] ?? ""));
    assert.equal(verdicts.config, fingerprint);
    assert.deepEqual(verdicts.images, { [vulnerable]: { flagged: true, node: "so-a" }, [clean]: { flagged: false, node: "so-a" } }, "the image the two nodes disagreed on is scanned again");
    for (const pod of all.filter((p) => nodeOf(p) === "so-c" || nodeOf(p) === "so-d")) {
      assert.ok(scannerArgs(pod).includes("--verdicts=/run/eraser.sh/verdicts/verdicts.json"), `${nodeOf(pod)} reuses the verdicts`);
      assert.ok(!scannerArgs(pod).includes("--share-verdicts"));
      assert.equal(pod.spec?.volumes?.find((v) => v.name === "scan-verdicts")?.configMap?.name, `${job}-verdicts`);
    }
    const shared = await eventually("the ScanVerdictsShared Event", async () => {
      const events = await core.listNamespacedEvent({ namespace: "default", fieldSelector: `involvedObject.name=${job}` });
      return events.items.find((e) => e.reason === "ScanVerdictsShared");
    });
    assert.match(shared.message ?? "", /the first 2 nodes shared 2 scan verdicts, 1 non-compliant \(1 left out, see the manager's log\); the other 2 nodes start now/);

    for (const pod of all.filter((p) => nodeOf(p) === "so-c" || nodeOf(p) === "so-d")) await finishScanning(pod, { flagged: [], compliant: [] }, { scanned: 1, scansReused: 2, unjudged: 1 });
    const done = await eventually("the job to complete", async () => {
      const j = (await listImageJobs(custom)).find((x) => x.metadata.name === job);
      return j?.status?.phase === "Completed" ? j : undefined;
    });
    assert.equal(done.status?.succeeded, 4);
    assert.deepEqual([done.status?.scanned, done.status?.scansReused, done.status?.unjudged], [3 + 2 + 1 + 1, 2 + 2, 1 + 1], "the nodes' scan counts, summed into the status");
    const metrics = await (await fetch(`http://127.0.0.1:${second.port}/metrics`)).text();
    assert.match(metrics, /^unjudged_images_run_total 2$/m, "what an alert on unjudged images reads");
  });

  test("a first-wave node that leaves before it shares is replaced by a node of its pool; the rest still wait", async () => {
    for (const m of running) await m.stop({ kill: true });
    await deleteAllEraserObjects(custom);
    await core.deleteNamespacedConfigMap({ name: "eraser-schedule", namespace: operatorNamespace }).catch(() => undefined);
    // The batch pool grows to three nodes, so that one of them scanning for the others saves scans.
    await core.patchNodeStatus({ name: "so-b", body: { status: { images: poolOf("so-b") } } }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
    await cluster.addVirtualNodes([{ name: "so-e", status: { images: poolOf("so-e") } }]);
    const manager = await startManagerProcess(cluster);
    running.push(manager);
    const job = await eventually("an automatic job", async () => (await listImageJobs(custom)).find((j) => j.status?.mode === "automatic")?.metadata.name, 60_000);
    const wave1 = await eventually("the first wave's pods", async () => {
      const pods = await workerPods(core, job);
      return pods.length === 2 ? pods : undefined;
    });
    assert.deepEqual(wave1.map(nodeOf).sort(), ["so-a", "so-b"]);

    // so-b leaves (a scale-down) before its scanner reported: so-d, of its pool, scans in its place.
    await cluster.deleteNode("so-b");
    const scout = await eventually("a pod on so-d, scanning first", async () => (await workerPods(core, job)).find((p) => nodeOf(p) === "so-d"));
    assert.ok(scannerArgs(scout).includes("--share-verdicts"), "so-d shares its verdicts, as first-wave nodes do");
    // so-b's own pod goes when the pod garbage collector finds its node gone: leave it out.
    const others = async (): Promise<string[]> => (await workerPods(core, job)).map(nodeOf).filter((n) => n !== "so-b").sort();
    assert.deepEqual(await others(), ["so-a", "so-d"], "so-c and so-e still wait");
    assert.equal((await core.readNamespacedConfigMap({ name: `${job}-nodes`, namespace: operatorNamespace })).data?.["firstWave"], "so-a\nso-d", "a restarted manager waits for the same nodes");
    const replaced = await eventually("the FirstWaveReplaced Event", async () => (await core.listNamespacedEvent({ namespace: "default", fieldSelector: `involvedObject.name=${job}` })).items.find((e) => e.reason === "FirstWaveReplaced"));
    assert.equal(replaced.message, "first-wave node(s) so-b left the cluster or were drained before sharing scan verdicts; scanning first in their place: so-d");

    const a = wave1.find((p) => nodeOf(p) === "so-a")!;
    await finishScanning(a, { flagged: [vulnerable], compliant: [clean] });
    await eventually("the manager to count so-a", async () => ((await listImageJobs(custom)).find((j) => j.metadata.name === job)?.status?.succeeded === 1 ? true : undefined));
    assert.deepEqual(await others(), ["so-a", "so-d"], "the rest wait for so-d too");
    await finishScanning(scout, { flagged: [disputed], compliant: [] });
    const rest = await eventually("so-c's and so-e's pods", async () => {
      const pods = (await workerPods(core, job)).filter((p) => nodeOf(p) === "so-c" || nodeOf(p) === "so-e");
      return pods.length === 2 ? pods : undefined;
    });
    for (const pod of rest) assert.ok(scannerArgs(pod).includes("--verdicts=/run/eraser.sh/verdicts/verdicts.json"), `${nodeOf(pod)} reuses the verdicts`);
    const verdicts = SharedVerdictsSchema.parse(JSON.parse((await core.readNamespacedConfigMap({ name: `${job}-verdicts`, namespace: operatorNamespace })).data?.["verdicts.json"] ?? ""));
    assert.deepEqual(Object.keys(verdicts.images).sort(), [vulnerable, clean, disputed].sort(), "so-d's verdicts are shared with so-a's");
  });
});
