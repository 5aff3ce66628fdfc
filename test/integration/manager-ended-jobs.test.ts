// A job that ended while one of its pods was still Pending: the manager that ended it deletes that
// pod at once (it never ran, holds its requests on the node, and a lost node coming back would run
// it for a job already decided). If that manager stopped before it could, or the API server refused,
// the next pass deletes it, whoever ended the job: here a job and pods left as an interrupted
// manager leaves them, and a fresh manager that finds them.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { PatchStrategy, setHeaderOptions, type CoreV1Api, type CustomObjectsApi } from "@kubernetes/client-node";
import { labels } from "../../src/api/worker-contract.ts";
import { completePod, type TestCluster } from "../harness/index.ts";
import { eventually, operatorNamespace, startManagerProcess, type ManagerProcess } from "../harness/manager-run.ts";
import { deleteAllEraserObjects, listImageJobs, optOutRealNodes, prepareManagerTest, setManagerConfig } from "../harness/operator-fixtures.ts";

let cluster: TestCluster;
let core: CoreV1Api;
let custom: CustomObjectsApi;
let manager: ManagerProcess | undefined;
const nodes = ["ej-ran", "ej-lost"];
const job = "imagejob-ended-elsewhere";

before(async () => {
  ({ cluster, core, custom } = await prepareManagerTest(nodes.map((name) => ({ name }))));
  await setManagerConfig(core, "apiVersion: eraser.sh/v1alpha3\nkind: EraserConfig\ncomponents:\n  collector: { enabled: false }\n  scanner: { enabled: false }\n");
});

after(async () => {
  if ((cluster as TestCluster | undefined) === undefined) return;
  await manager?.stop({ kill: true });
  await deleteAllEraserObjects(custom);
  for (const name of nodes) await cluster.deleteNode(name);
  await optOutRealNodes(cluster, false);
});

async function workerPod(node: string): Promise<string> {
  const pod = await core.createNamespacedPod({
    namespace: operatorNamespace,
    body: {
      metadata: { generateName: `eraser-${node}-`, labels: { [labels.job]: job } },
      spec: { nodeName: node, restartPolicy: "Never", containers: [{ name: "remover", image: "example.test/worker:ended" }] },
    },
  });
  return pod.metadata?.name ?? "";
}

describe("a job that ended with a pod still Pending", () => {
  test("a manager that finds it deletes the unstarted pod, and keeps the one that ran for its logs until the cleanup", async () => {
    const created = (await custom.createClusterCustomObject({ group: "eraser.sh", version: "v1", plural: "imagejobs", body: { apiVersion: "eraser.sh/v1", kind: "ImageJob", metadata: { name: job } } })) as { metadata: { uid: string } };
    assert.ok(created.metadata.uid !== "");
    const now = Date.now();
    await custom.patchClusterCustomObjectStatus(
      {
        group: "eraser.sh",
        version: "v1",
        plural: "imagejobs",
        name: job,
        body: { status: { phase: "Failed", desired: 2, succeeded: 1, failed: 1, skipped: 0, mode: "manual", completionTime: new Date(now).toISOString(), deleteAfter: new Date(now + 10 * 60_000).toISOString() } },
      },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    const ran = await workerPod("ej-ran");
    await completePod(core, operatorNamespace, ran, { remover: { exitCode: 0 } });
    const unstarted = await workerPod("ej-lost");

    manager = await startManagerProcess(cluster);
    await manager.waitForLog(/Started leading/, 40_000);
    const deletion = async (name: string): Promise<Date | undefined> => (await core.readNamespacedPod({ name, namespace: operatorNamespace })).metadata?.deletionTimestamp;
    // With no kubelet behind the virtual node, a deleted pod stays marked for deletion.
    await eventually("the unstarted pod to be deleted", async () => ((await deletion(unstarted)) === undefined ? undefined : true), 15_000);
    assert.equal(await deletion(ran), undefined, "the pod that ran stays until the job's cleanup, 10 minutes on");
    assert.ok((await listImageJobs(custom)).some((j) => j.metadata.name === job), "the job itself waits for its cleanup");
  });
});
