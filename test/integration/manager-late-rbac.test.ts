// A manager that starts before it may list Nodes: an install whose ClusterRoleBinding lands after
// its Deployment, or a ClusterRole someone trimmed. A job chosen from an empty node cache would
// run on no node, complete at once, and its ImageList would read as done with nothing removed.
// The manager runs no controller until every cache holds a full list (caches-ready.ts); here the
// first list is refused by the real API server's RBAC, not by a fake. A role that lists nodes but
// may not watch them is refused the same way, and once watch is granted the manager runs, though
// client-node then watches from its one list without listing again (ADR 0024, amended).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { RbacAuthorizationV1Api, type CoreV1Api, type CustomObjectsApi } from "@kubernetes/client-node";
import { repoRoot, type TestCluster } from "../harness/index.ts";
import { eventually, operatorNamespace, startManagerProcess, type ManagerProcess } from "../harness/manager-run.ts";
import { applyImageList, deleteAllEraserObjects, listImageJobs, optOutRealNodes, prepareManagerTest, setManagerConfig, workerPods } from "../harness/operator-fixtures.ts";

let cluster: TestCluster;
let core: CoreV1Api;
let custom: CustomObjectsApi;
let rbac: RbacAuthorizationV1Api;
let manager: ManagerProcess | undefined;
const virtual = ["lr-a", "lr-b"];
const account = "eraser-late-rbac";
const user = `system:serviceaccount:${operatorNamespace}:${account}`;
const subjects = [{ kind: "ServiceAccount", name: account, namespace: operatorNamespace }];
/** The manager's ClusterRole from deploy/rbac.yaml, less its rule on nodes. */
const withoutNodes = "eraser-test-manager-without-nodes";
const nodesGranted = "eraser-test-late-nodes";
/** Nodes: get and list, not watch (a role trimmed by hand). */
const nodesListed = "eraser-test-nodes-listed-not-watched";

const config = `apiVersion: eraser.sh/v1alpha3
kind: EraserConfig
manager:
  imageJob: { cleanup: { delayOnSuccess: 10m, delayOnFailure: 10m } }
components:
  collector: { enabled: false }
  scanner: { enabled: false }
  remover: { image: { repo: example.test/remover, tag: r1 } }
`;

async function readyz(port: number): Promise<number> {
  return (await fetch(`http://127.0.0.1:${port}/readyz`)).status;
}

async function bindClusterRole(name: string, role: string): Promise<void> {
  await rbac.createClusterRoleBinding({ body: { metadata: { name }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role }, subjects } });
}

before(async () => {
  ({ cluster, core, custom } = await prepareManagerTest(virtual.map((name) => ({ name }))));
  rbac = cluster.kubeConfig().makeApiClient(RbacAuthorizationV1Api);
  const applied = await cluster.kubectl(["apply", "-f", join(repoRoot, "deploy", "rbac.yaml")]);
  assert.equal(applied.exitCode, 0, applied.stderr);
  const role = await rbac.readClusterRole({ name: "eraser-manager-role" });
  const rules = role.rules?.filter((r) => !(r.resources ?? []).includes("nodes")) ?? [];
  assert.equal(rules.length, (role.rules?.length ?? 0) - 1, "deploy/rbac.yaml has one rule on nodes");
  await core.createNamespacedServiceAccount({ namespace: operatorNamespace, body: { metadata: { name: account } } });
  await rbac.createClusterRole({ body: { metadata: { name: withoutNodes }, rules } });
  await bindClusterRole(withoutNodes, withoutNodes);
  await rbac.createNamespacedRoleBinding({ namespace: operatorNamespace, body: { metadata: { name: account }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "eraser-manager-role" }, subjects } });
  await setManagerConfig(core, config);
});

after(async () => {
  // node:test skips `before` when a name filter leaves no test here, but still runs `after`.
  if ((cluster as TestCluster | undefined) === undefined) return;
  await manager?.stop();
  for (const name of [withoutNodes, nodesGranted, nodesListed]) await rbac.deleteClusterRoleBinding({ name }).catch(() => undefined);
  for (const name of [withoutNodes, nodesListed]) await rbac.deleteClusterRole({ name }).catch(() => undefined);
  await rbac.deleteNamespacedRoleBinding({ name: account, namespace: operatorNamespace }).catch(() => undefined);
  await core.deleteNamespacedServiceAccount({ name: account, namespace: operatorNamespace }).catch(() => undefined);
  await deleteAllEraserObjects(custom);
  for (const name of virtual) await cluster.deleteNode(name);
  await optOutRealNodes(cluster, false);
});

describe("a manager that may not list Nodes yet", () => {
  test("runs no job and is not ready while the API server refuses its list of Nodes, then runs the ImageList on every node once it may", async (t) => {
    await applyImageList(custom, "imagelist", ["docker.io/library/alpine:3.7.3"]);
    manager = await startManagerProcess(cluster, [`--kubeconfig=${cluster.impersonatedKubeconfigFile(user)}`]);
    await manager.waitForLog(/^(?=.*Watch failed; relisting)(?=.*(?:forbidden|403))/i);
    // Past the first relists (0.5 s, 1 s, 2 s): time enough for a manager that did not wait to
    // make its job and complete it on no node.
    await new Promise((resolve) => setTimeout(resolve, 4000));
    assert.deepEqual((await listImageJobs(custom)).map((j) => `${j.metadata.name}: ${j.status?.phase ?? "new"}, ${j.status?.desired ?? 0} nodes`), [], "no job while the manager cannot see the nodes");
    assert.equal(await readyz(manager.port), 503, "not ready while a cache has no full list");
    assert.ok(!manager.logs.some((l) => l.includes("Started leading")), "no controller runs, so it does not lead");
    assert.ok(manager.logs.some((l) => l.includes("Waiting for the caches' first full list")), "the log says what it waits for");

    const granted = Date.now();
    await bindClusterRole(nodesGranted, "eraser-manager-role");
    const job = await eventually("a job", async () => (await listImageJobs(custom)).find((j) => j.status?.phase === "Running"), 60_000);
    t.diagnostic(`job running ${Date.now() - granted} ms after the nodes rule was bound`);
    const nodes = (await core.listNode()).items.length;
    assert.deepEqual({ desired: job.status?.desired, skipped: job.status?.skipped }, { desired: nodes, skipped: nodes - virtual.length }, "the job counts every node the cluster has");
    const pods = await eventually("a pod on each virtual node", async () => {
      const made = await workerPods(core, job.metadata.name);
      return made.length === virtual.length ? made : undefined;
    });
    assert.deepEqual(pods.map((p) => p.spec?.nodeName).sort(), virtual);
    assert.equal(await readyz(manager.port), 200);
  });

  test("with nodes listed but not watched, it runs no job, is not ready and says what to grant; once watch is granted, it runs", async (t) => {
    await manager?.stop();
    await rbac.deleteClusterRoleBinding({ name: nodesGranted }).catch(() => undefined);
    await deleteAllEraserObjects(custom);
    const rules = (verbs: string[]) => [{ apiGroups: [""], resources: ["nodes"], verbs }];
    await rbac.createClusterRole({ body: { metadata: { name: nodesListed }, rules: rules(["get", "list"]) } });
    await bindClusterRole(nodesListed, nodesListed);
    await applyImageList(custom, "imagelist", ["docker.io/library/alpine:3.7.4"]);
    manager = await startManagerProcess(cluster, [`--kubeconfig=${cluster.impersonatedKubeconfigFile(user)}`]);
    const refused = await manager.waitForLog(/^(?=.*Watch failed; relisting)(?=.*HTTP 403: Forbidden)/);
    assert.match(refused, /"hint":"the API server does not let the manager list and watch \/api\/v1\/nodes: its ServiceAccount needs get, list and watch there/);
    await new Promise((resolve) => setTimeout(resolve, 4000));
    assert.deepEqual((await listImageJobs(custom)).map((j) => j.metadata.name), [], "no job while the nodes cannot be watched");
    assert.equal(await readyz(manager.port), 503);

    const granted = Date.now();
    await rbac.replaceClusterRole({ name: nodesListed, body: { metadata: { name: nodesListed }, rules: rules(["get", "list", "watch"]) } });
    const job = await eventually("a job once watch is granted", async () => (await listImageJobs(custom)).find((j) => j.status?.phase === "Running"), 60_000);
    t.diagnostic(`job running ${Date.now() - granted} ms after watch was granted`);
    const pods = await eventually("a pod on each virtual node", async () => {
      const made = await workerPods(core, job.metadata.name);
      return made.length === virtual.length ? made : undefined;
    });
    assert.deepEqual(pods.map((p) => p.spec?.nodeName).sort(), virtual);
    assert.equal(await readyz(manager.port), 200);
  });
});
