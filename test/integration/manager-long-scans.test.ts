// A scan may take hours (trivy's first DB load, a node of large images; the scanner's timeout.total
// is 23h), so a pod whose trivy-scanner is running is not failed at --pod-timeout, which bounds
// only a pod's start and a pod that does not scan; a pod on a node that stops being Ready is,
// scanning or not. Real API server; the test plays the kubelet and the node's lost heartbeat.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { PatchStrategy, setHeaderOptions, type CoreV1Api, type CustomObjectsApi } from "@kubernetes/client-node";
import { completePod, startPod, type TestCluster } from "../harness/index.ts";
import { eventually, operatorNamespace, startManagerProcess, type ManagerProcess } from "../harness/manager-run.ts";
import { deleteAllEraserObjects, listImageJobs, nodeResult, optOutRealNodes, prepareManagerTest, setManagerConfig, workerPods } from "../harness/operator-fixtures.ts";

let cluster: TestCluster;
let core: CoreV1Api;
let custom: CustomObjectsApi;
let manager: ManagerProcess | undefined;
const scanning = "ls-scanning";
const stuck = "ls-stuck";
const lost = "ls-lost";
const podTimeoutS = 6;

const config = `apiVersion: eraser.sh/v1alpha3
kind: EraserConfig
manager:
  scheduling: { repeatInterval: 720h, beginImmediately: true }
  imageJob: { successRatio: 0.5, cleanup: { delayOnSuccess: 10m, delayOnFailure: 10m } }
components:
  collector: { enabled: true, image: { repo: example.test/worker, tag: l1 } }
  scanner:
    enabled: true
    image: { repo: example.test/worker-trivy, tag: l1 }
    config: |
      cacheDir: /var/lib/eraser-trivy
  remover: { image: { repo: example.test/worker, tag: l1 } }
`;

before(async () => {
  ({ cluster, core, custom } = await prepareManagerTest([{ name: scanning }, { name: stuck }, { name: lost }]));
  await core.deleteNamespacedConfigMap({ name: "eraser-schedule", namespace: operatorNamespace }).catch(() => undefined);
  await setManagerConfig(core, config);
  manager = await startManagerProcess(cluster, [`--pod-timeout=${podTimeoutS}s`]);
});

after(async () => {
  // node:test skips `before` when a name filter leaves no test here, but still runs `after`.
  if ((cluster as TestCluster | undefined) === undefined) return;
  await manager?.stop({ kill: true });
  await deleteAllEraserObjects(custom);
  await setManagerConfig(core, config.replace("enabled: true, image", "enabled: false, image"));
  for (const name of [scanning, stuck, lost]) await cluster.deleteNode(name);
  await optOutRealNodes(cluster, false);
});

describe("a long scan", () => {
  test("a pod still scanning outlives --pod-timeout and its result counts; one that never started, or whose node was lost, does not", async () => {
    const pods = await eventually("the start-up job's three pods", async () => {
      const job = (await listImageJobs(custom)).find((j) => j.metadata.labels?.["eraser.sh/job-owner"] === "schedule");
      const p = job === undefined ? [] : await workerPods(core, job.metadata.name);
      return p.length === 3 ? p : undefined;
    });
    const job = pods[0]?.metadata?.labels?.["eraser.sh/job"] ?? "";
    const podOn = (node: string): string => pods.find((p) => p.spec?.nodeName === node)?.metadata?.name ?? "";
    for (const node of [scanning, lost]) await startPod(core, operatorNamespace, podOn(node), { collector: { exitCode: 0 } });
    // What the node lifecycle controller writes when a kubelet stops reporting.
    const now = new Date();
    await core.patchNodeStatus(
      { name: lost, body: { status: { conditions: [{ type: "Ready", status: "Unknown", reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status.", lastHeartbeatTime: now, lastTransitionTime: now }] } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );

    // Twice the pod timeout: the Pending pod and the lost node's have failed by now, the scanning one must not have.
    await new Promise((r) => setTimeout(r, 2 * podTimeoutS * 1000));
    const midway = (await listImageJobs(custom)).find((j) => j.metadata.name === job);
    assert.deepEqual({ phase: midway?.status?.phase, failed: midway?.status?.failed }, { phase: "Running", failed: 2 }, "only the pods that never started or lost their node have failed");
    // Seen while the job runs, not only when it ends: in its status and as Events.
    assert.deepEqual(midway?.status?.failedNodes?.map((f) => f.node).sort(), [lost, stuck]);
    const nodeFailedEvents = async (): Promise<string[]> =>
      (await core.listNamespacedEvent({ namespace: "default", fieldSelector: `involvedObject.name=${job}` })).items.filter((e) => e.reason === "NodeFailed").map((e) => e.message ?? "");
    await eventually("a NodeFailed event for each failed node", async () => ((await nodeFailedEvents()).length >= 2 ? true : undefined), 10_000);

    await completePod(core, operatorNamespace, podOn(scanning), { collector: { exitCode: 0 }, "trivy-scanner": { exitCode: 0 }, remover: { exitCode: 0, message: nodeResult(4, { vulnerable: 4, scanned: 9 }) } });
    const done = await eventually("the job to end", async () => {
      const j = (await listImageJobs(custom)).find((x) => x.metadata.name === job);
      return j?.status?.phase === "Completed" || j?.status?.phase === "Failed" ? j : undefined;
    });
    const s = done.status ?? {};
    assert.deepEqual({ phase: s.phase, succeeded: s.succeeded, failed: s.failed, removed: s.removed, scanned: s.scanned }, { phase: "Completed", succeeded: 1, failed: 2, removed: 4, scanned: 9 });
    const reasons = Object.fromEntries((s.failedNodes ?? []).map((f) => [f.node, f.reason]));
    assert.deepEqual(Object.keys(reasons).sort(), [lost, stuck]);
    assert.match(reasons[stuck] ?? "", new RegExp(`did not finish within ${podTimeoutS} s \\(Pending\\)`));
    assert.match(reasons[lost] ?? "", /cannot finish: node ls-lost has not been Ready \(Unknown\) since /);
    // The pod that never started holds its requests on the node for nothing: it goes with the job's end,
    // while those that ran stay for their logs until the cleanup (10 minutes here).
    // (Deleted gracefully: with no kubelet behind the virtual node, it stays marked for deletion.)
    const staying = async (): Promise<string[]> => (await workerPods(core, job)).filter((p) => p.metadata?.deletionTimestamp === undefined).map((p) => p.spec?.nodeName ?? "");
    await eventually("the unstarted pod to be deleted", async () => ((await staying()).includes(stuck) ? undefined : true), 10_000);
    assert.deepEqual((await staying()).sort(), [lost, scanning]);
    await new Promise((r) => setTimeout(r, 1000)); // Events are recorded without waiting
    assert.deepEqual((await nodeFailedEvents()).map((m) => m.split(":")[0]).sort(), [`node ${lost}`, `node ${stuck}`], "one NodeFailed event per node, not one more at the end");

    // The lost node comes back and its pod finishes: said as an Event; the ended job stays as it was.
    await completePod(core, operatorNamespace, podOn(lost), { collector: { exitCode: 0 }, "trivy-scanner": { exitCode: 0 }, remover: { exitCode: 0, message: nodeResult(2, { scanned: 5 }) } });
    const late = await eventually("a NodeFinishedLate Event", async () =>
      (await core.listNamespacedEvent({ namespace: "default", fieldSelector: `involvedObject.name=${job}` })).items.find((e) => e.reason === "NodeFinishedLate"),
    10_000);
    assert.equal(late.message, `node ${lost}: its worker pod finished after the job counted the node failed, removing 2 image(s) (2000 bytes); the job's totals do not include them`);
    const after = (await listImageJobs(custom)).find((x) => x.metadata.name === job)?.status ?? {};
    assert.deepEqual({ phase: after.phase, failed: after.failed, removed: after.removed }, { phase: "Completed", failed: 2, removed: 4 }, "the job's result does not change after it ended");
  });
});
