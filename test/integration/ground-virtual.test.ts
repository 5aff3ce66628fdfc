// Virtual nodes (Node objects, no kubelet) and the simulated kubelet that completes their pods.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { CoreV1Api } from "@kubernetes/client-node";
import { completePod, sharedCluster, type TestCluster } from "../harness/index.ts";

let cluster: TestCluster;
let core: CoreV1Api;
const namespace = "ground-virtual";
const names = Array.from({ length: 50 }, (_, i) => `virtual-${String(i).padStart(2, "0")}`);

before(async () => {
  cluster = await sharedCluster();
  core = cluster.kubeConfig().makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: namespace } } });
});
after(async () => {
  // node:test skips `before` when a name filter leaves no test here, but still runs `after`.
  if ((core as CoreV1Api | undefined) === undefined) return;
  await core.deleteNamespace({ name: namespace }).catch(() => undefined);
  for (const name of names) await cluster.deleteNode(name);
});

describe("virtual nodes", () => {
  test("50 virtual nodes are Ready with their labels; a pod on one completes with an exit code and message", async () => {
    await cluster.addVirtualNodes(names.map((name, i) => ({ name, labels: { pool: i % 2 === 0 ? "even" : "odd" } })));
    const even = await core.listNode({ labelSelector: "pool=even,eraser-ts.test/virtual=true" });
    assert.equal(even.items.length, 25);
    assert.ok(even.items.every((n) => n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")));

    await core.createNamespacedPod({
      namespace,
      body: { metadata: { name: "sim" }, spec: { nodeName: "virtual-07", restartPolicy: "Never", containers: [{ name: "remover", image: "example.invalid/remover:1" }] } },
    });
    await completePod(core, namespace, "sim", { remover: { exitCode: 3, message: '{"v":1,"removed":2}' } });
    const pod = await core.readNamespacedPod({ name: "sim", namespace });
    assert.equal(pod.status?.phase, "Failed");
    const remover = (pod.status.containerStatuses ?? []).at(0);
    assert.deepEqual([remover?.state?.terminated?.exitCode, remover?.state?.terminated?.message], [3, '{"v":1,"removed":2}']);
  });
});
