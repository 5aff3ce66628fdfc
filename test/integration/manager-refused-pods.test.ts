// Worker pods the API server refuses: with Pod Security admission enforcing "baseline" on the
// operator's namespace (the real admission plugin of the real API server), a worker pod's hostPath
// volumes are forbidden. The job ends Failed at once with the API server's words for each node,
// instead of retrying every 2 s for ever with a PodCreateFailed Event each time.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { PatchStrategy, setHeaderOptions, type CoreV1Api, type CustomObjectsApi } from "@kubernetes/client-node";
import type { TestCluster } from "../harness/index.ts";
import { eventually, operatorNamespace, startManagerProcess, type ManagerProcess } from "../harness/manager-run.ts";
import { applyImageList, deleteAllEraserObjects, listImageJobs, optOutRealNodes, prepareManagerTest, setManagerConfig, workerPods } from "../harness/operator-fixtures.ts";

let cluster: TestCluster;
let core: CoreV1Api;
let custom: CustomObjectsApi;
let manager: ManagerProcess | undefined;
const virtual = ["rp-a", "rp-b"];
const enforce = "pod-security.kubernetes.io/enforce";

const config = `apiVersion: eraser.sh/v1alpha3
kind: EraserConfig
manager:
  imageJob: { cleanup: { delayOnSuccess: 10m, delayOnFailure: 10m } }
components:
  collector: { enabled: false }
  scanner: { enabled: false }
  remover: { image: { repo: example.test/remover, tag: r1 } }
`;

async function labelNamespace(value: string | null): Promise<void> {
  await core.patchNamespace({ name: operatorNamespace, body: { metadata: { labels: { [enforce]: value } } } }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
}

before(async () => {
  ({ cluster, core, custom } = await prepareManagerTest(virtual.map((name) => ({ name }))));
  await setManagerConfig(core, config);
  await labelNamespace("baseline");
  manager = await startManagerProcess(cluster);
  await manager.waitForLog(/Started leading/);
});

after(async () => {
  // node:test skips `before` when a name filter leaves no test here, but still runs `after`.
  if ((cluster as TestCluster | undefined) === undefined) return;
  await manager?.stop();
  await labelNamespace(null);
  await deleteAllEraserObjects(custom);
  for (const name of virtual) await cluster.deleteNode(name);
  await optOutRealNodes(cluster, false);
});

describe("worker pods the API server refuses", () => {
  test("each node fails with the API server's reason and the job ends, without retrying for ever", async () => {
    await applyImageList(custom, "imagelist", ["docker.io/library/alpine:3.7.3"]);
    const job = await eventually("the job to end", async () => (await listImageJobs(custom)).find((j) => j.status?.phase === "Completed" || j.status?.phase === "Failed"), 30_000);
    const s = job.status ?? {};
    assert.deepEqual({ phase: s.phase, succeeded: s.succeeded, failed: s.failed }, { phase: "Failed", succeeded: 0, failed: virtual.length });
    assert.deepEqual(s.failedNodes?.map((f) => f.node).sort(), virtual);
    for (const f of s.failedNodes ?? []) assert.match(f.reason, /^its worker pod could not be created: HTTP 403: pods "eraser-rp-.-\w+" is forbidden: violates PodSecurity "baseline:latest": .*hostPath volumes/, f.reason);
    assert.equal((await workerPods(core, job.metadata.name)).length, 0);
    await new Promise((r) => setTimeout(r, 3000)); // long enough for a retrying job to have retried
    const events = (await core.listNamespacedEvent({ namespace: "default", fieldSelector: `involvedObject.name=${job.metadata.name}` })).items;
    const reasons = events.map((e) => e.reason ?? "");
    assert.equal(reasons.filter((r) => r === "PodCreateFailed").length, 0, "a refusal is not retried");
    assert.equal(reasons.filter((r) => r === "NodeFailed").length, virtual.length, "one NodeFailed per node");
  });
});
