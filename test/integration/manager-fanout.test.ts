// Node filters, the success ratio at scale, ownership and metrics, on the real API server with
// virtual nodes (the test plays the kubelet).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { completePod, type TestCluster } from "../harness/index.ts";
import { eventually, operatorNamespace, startManagerProcess, type ManagerProcess } from "../harness/manager-run.ts";
import { applyImageList, deleteAllEraserObjects, listImageJobs, nodeResult, optOutRealNodes, prepareManagerTest, setManagerConfig, workerPods } from "../harness/operator-fixtures.ts";

let cluster: TestCluster;
let core: CoreV1Api;
let custom: CustomObjectsApi;
let manager: ManagerProcess | undefined;
const many = Array.from({ length: 273 }, (_, i) => `mf-${String(i).padStart(3, "0")}`);

const config = (filter: string, ratio: number): string => `apiVersion: eraser.sh/v1alpha3
kind: EraserConfig
manager:
  imageJob: { successRatio: ${ratio}, cleanup: { delayOnSuccess: 1h, delayOnFailure: 1h } }
  nodeFilter: ${filter}
components:
  collector: { enabled: false }
  scanner: { enabled: false }
`;

async function run(images: string[], expectedPods: number) {
  const before = new Set((await listImageJobs(custom)).map((j) => j.metadata.name));
  await applyImageList(custom, "imagelist", images);
  const job = await eventually("a new job", async () => (await listImageJobs(custom)).find((j) => !before.has(j.metadata.name))?.metadata.name);
  const pods = await eventually(`${expectedPods} pods`, async () => {
    const p = await workerPods(core, job);
    return p.length >= expectedPods ? p : undefined;
  }, 90_000);
  await new Promise((r) => setTimeout(r, 1000));
  return { job, pods: await workerPods(core, job), firstPods: pods };
}

async function finished(job: string) {
  return eventually(`${job} to finish`, async () => {
    const j = (await listImageJobs(custom)).find((x) => x.metadata.name === job);
    return j?.status?.phase === "Completed" || j?.status?.phase === "Failed" ? j : undefined;
  }, 90_000);
}

before(async () => {
  ({ cluster, core, custom } = await prepareManagerTest(many.map((name, i) => ({ name, labels: { pool: i < 3 ? "batch" : "web" } }))));
  await setManagerConfig(core, config("{ type: include, selectors: [pool=batch] }", 1));
  manager = await startManagerProcess(cluster, ["--pod-creation-qps=200", "--pod-creation-burst=200", "--pod-timeout=5m"]);
  await manager.waitForLog(/Started leading/);
});

after(async () => {
  // node:test skips `before` when a name filter leaves no test here, but still runs `after`.
  if ((cluster as TestCluster | undefined) === undefined) return;
  await manager?.stop();
  await deleteAllEraserObjects(custom);
  for (const name of many) await cluster.deleteNode(name);
  await optOutRealNodes(cluster, false);
});

describe("fan-out", () => {
  test("include filter; a label added after a job is honoured by the next job; deleting the ImageList removes its job's pods", async () => {
    const first = await run(["docker.io/library/a:1"], 3);
    assert.deepEqual(first.pods.map((p) => p.spec?.nodeName).sort(), ["mf-000", "mf-001", "mf-002"]);
    await cluster.kubectl(["label", "node", "mf-100", "pool=batch", "--overwrite"]);
    await cluster.kubectl(["label", "node", "mf-001", "eraser.sh/cleanup.filter=true"]);
    for (const p of first.pods) await completePod(core, operatorNamespace, p.metadata!.name!, { remover: { exitCode: 0, message: nodeResult(0) } });
    await finished(first.job);
    const second = await run(["docker.io/library/a:2"], 3);
    assert.deepEqual(second.pods.map((p) => p.spec?.nodeName).sort(), ["mf-000", "mf-002", "mf-100"], "mf-100 joined, mf-001 opted out");

    // Virtual nodes have no kubelet to confirm a running pod's deletion, so finish the pods first,
    // as the workers on real nodes would; terminal pods are deleted at once.
    for (const p of second.pods) await completePod(core, operatorNamespace, p.metadata!.name!, { remover: { exitCode: 0, message: nodeResult(0) } });
    await finished(second.job);
    await custom.deleteClusterCustomObject({ group: "eraser.sh", version: "v1", plural: "imagelists", name: "imagelist" });
    await eventually("the ImageList's jobs and pods to be garbage-collected", async () => {
      const jobs = await listImageJobs(custom);
      const pods = await workerPods(core, second.job);
      return jobs.length === 0 && pods.length === 0 ? true : undefined;
    }, 60_000);
  });

  test("272 of 273 nodes succeeding with successRatio 0.99 is Completed (Eraser says Failed); /metrics counts it", async () => {
    await setManagerConfig(core, config("{ type: exclude, selectors: [] }", 0.99));
    await manager!.waitForLog(/Loaded changed manager config/);
    // Every node not opted out: 273 virtual ones on a clean test ground.
    const eligible = (await core.listNode()).items.filter((n) => n.metadata?.labels?.["eraser.sh/cleanup.filter"] === undefined).length;
    const { job, pods } = await run(["docker.io/library/b:1"], eligible);
    assert.equal(pods.length, eligible);
    for (const [i, p] of pods.entries()) {
      const failed = i === 0;
      await completePod(core, operatorNamespace, p.metadata!.name!, { remover: failed ? { exitCode: 1, message: JSON.stringify({ v: 1, dryRun: false, removed: 0, removedBytes: 0, vulnerable: 0, kept: {}, failed: 0, failures: [], error: "runtime socket gone" }) } : { exitCode: 0, message: nodeResult(1) } });
    }
    const done = await finished(job);
    const s = done.status ?? {};
    assert.equal(s.phase, "Completed");
    assert.deepEqual([s.succeeded, s.failed], [eligible - 1, 1]);
    assert.equal(s.removed, eligible - 1);
    assert.deepEqual(s.failedNodes?.map((f) => f.reason), ["runtime socket gone"]);
    const metrics = await (await fetch(`http://127.0.0.1:${manager!.port}/metrics`)).text();
    assert.match(metrics, /^pods_completed_run_total \d+/m);
    assert.match(metrics, /^pods_failed_run_total [1-9]/m);
    assert.match(metrics, /^images_removed_run_total (\d+)/m);
    assert.ok(Number(/^images_removed_run_total (\d+)/m.exec(metrics)?.[1]) >= eligible - 1);
    assert.match(metrics, /^imagejob_run_total\{mode="manual",phase="Completed"\} [1-9]/m);
    assert.match(metrics, /^imagejob_duration_run_seconds_count\{mode="manual",phase="Completed"\} [1-9]/m);
    assert.equal((await fetch(`http://127.0.0.1:${manager!.port}/readyz`)).status, 200);
  });
});
