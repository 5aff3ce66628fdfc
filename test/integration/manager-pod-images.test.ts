// The images a node's pods name reach that node's worker pod (ADR 0019), on the real API server:
// the manager lists each node's pods as it makes the node's worker pod and gives the collector and
// remover one --pod-image per image, from every pod that has not finished, and from no other node.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { CoreV1Api, CustomObjectsApi, V1Container } from "@kubernetes/client-node";
import { completePod, type TestCluster } from "../harness/index.ts";
import { eventually, operatorNamespace, startManagerProcess, type ManagerProcess } from "../harness/manager-run.ts";
import { applyImageList, deleteAllEraserObjects, listImageJobs, nodeResult, optOutRealNodes, prepareManagerTest, setManagerConfig, workerPods } from "../harness/operator-fixtures.ts";

let cluster: TestCluster;
let core: CoreV1Api;
let custom: CustomObjectsApi;
let manager: ManagerProcess | undefined;
const virtual = ["pi-a", "pi-b", "pi-c"];
const appNamespace = "pi-app";

const config = `apiVersion: eraser.sh/v1alpha3
kind: EraserConfig
manager:
  imageJob: { cleanup: { delayOnSuccess: 1s, delayOnFailure: 1s } }
components:
  collector: { enabled: false }
  scanner: { enabled: false }
  remover: { image: { repo: example.test/remover, tag: p1 } }
`;

async function appPod(name: string, node: string, containers: Partial<Record<"initContainers" | "containers", string[]>>): Promise<void> {
  const named = (images: string[] | undefined, prefix: string): V1Container[] => (images ?? []).map((image, i) => ({ name: `${prefix}-${i}`, image }));
  await core.createNamespacedPod({
    namespace: appNamespace,
    body: { metadata: { name }, spec: { nodeName: node, initContainers: named(containers.initContainers, "init"), containers: named(containers.containers, "main") } },
  });
}

before(async () => {
  ({ cluster, core, custom } = await prepareManagerTest(virtual.map((name) => ({ name }))));
  await setManagerConfig(core, config);
  await core.createNamespace({ body: { metadata: { name: appNamespace } } });
  // No kubelet runs these nodes, so every pod stays Pending: bound, its containers not yet made.
  await appPod("waiting", "pi-a", { initContainers: ["registry.example/migrate:7"], containers: ["registry.example/app:2", "registry.example/proxy@sha256:" + "d".repeat(64)] });
  await appPod("sibling", "pi-a", { containers: ["registry.example/app:2"] });
  await appPod("done", "pi-a", { containers: ["registry.example/batch:1"] });
  const done = await core.readNamespacedPodStatus({ name: "done", namespace: appNamespace });
  await core.replaceNamespacedPodStatus({ name: "done", namespace: appNamespace, body: { ...done, status: { phase: "Succeeded" } } });
  await appPod("elsewhere", "pi-b", { containers: ["registry.example/other:1"] });
  manager = await startManagerProcess(cluster, ["--pod-timeout=15s"]);
  await manager.waitForLog(/Started leading/);
});

after(async () => {
  if ((cluster as TestCluster | undefined) === undefined) return;
  await manager?.stop();
  await deleteAllEraserObjects(custom);
  await core.deleteNamespace({ name: appNamespace, gracePeriodSeconds: 0 }).catch(() => undefined);
  for (const name of virtual) await cluster.deleteNode(name);
  await optOutRealNodes(cluster, false);
});

describe("the images a node's pods name", () => {
  test("each remover gets its own node's images, once each, from every pod that has not finished; a node with no pods gets none", async () => {
    await applyImageList(custom, "imagelist", ["*"]);
    const job = await eventually("the job", async () => (await listImageJobs(custom))[0]);
    const pods = await eventually("3 worker pods", async () => {
      const listed = await workerPods(core, job.metadata.name);
      return listed.length === virtual.length ? listed : undefined;
    });
    const podImages = (node: string): string[] | undefined =>
      pods.find((p) => p.spec?.nodeName === node)?.spec?.containers[0]?.args?.filter((a) => a.startsWith("--pod-image=")).map((a) => a.slice("--pod-image=".length));
    assert.deepEqual(podImages("pi-a"), ["registry.example/app:2", "registry.example/migrate:7", "registry.example/proxy@sha256:" + "d".repeat(64)], "the succeeded pod's image is not kept for it");
    assert.deepEqual(podImages("pi-b"), ["registry.example/other:1"]);
    assert.deepEqual(podImages("pi-c"), []);

    for (const p of pods) await completePod(core, operatorNamespace, p.metadata?.name ?? "", { remover: { exitCode: 0, message: nodeResult(1) } });
    const ended = await eventually("the job to end", async () => (await listImageJobs(custom)).find((j) => j.metadata.name === job.metadata.name && j.status?.phase !== undefined && j.status.phase !== "Running"));
    assert.equal(ended.status?.phase, "Completed");
  });
});
