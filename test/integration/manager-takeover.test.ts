// A manager that takes over a running job (a restart, an upgrade, a standby after a failover)
// keeps what the last one saw of its deleted worker pods: a finished pod the pod garbage collector
// deleted still counts and its node does not run again, a node whose pod was deleted once gets
// no third pod, and a drained node stays skipped. The first manager is killed, as a lost node
// kills it, so nothing it held only in memory survives. A manager stopped gracefully (SIGTERM: an
// upgrade, a drain) saves what it had not yet written before it lets go of the lead.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { PatchStrategy, setHeaderOptions, type CoreV1Api, type CustomObjectsApi, type V1Pod } from "@kubernetes/client-node";
import { completePod, type TestCluster } from "../harness/index.ts";
import { eventually, operatorNamespace, startManagerProcess, type ManagerProcess } from "../harness/manager-run.ts";
import { applyImageList, deleteAllEraserObjects, listImageJobs, nodeResult, optOutRealNodes, prepareManagerTest, setManagerConfig, workerPods } from "../harness/operator-fixtures.ts";

let cluster: TestCluster;
let core: CoreV1Api;
let custom: CustomObjectsApi;
const running: ManagerProcess[] = [];
const nodes = ["to-done", "to-retried", "to-drained", "to-last"];

before(async () => {
  ({ cluster, core, custom } = await prepareManagerTest(nodes.map((name) => ({ name }))));
  await setManagerConfig(
    core,
    "apiVersion: eraser.sh/v1alpha3\nkind: EraserConfig\nmanager:\n  imageJob:\n    cleanup: { delayOnSuccess: 10m, delayOnFailure: 10m }\ncomponents:\n  collector: { enabled: false }\n  scanner: { enabled: false }\n",
  );
});

after(async () => {
  if ((cluster as TestCluster | undefined) === undefined) return;
  for (const m of running) await m.stop({ kill: true });
  await deleteAllEraserObjects(custom);
  for (const name of nodes) await cluster.deleteNode(name);
  await optOutRealNodes(cluster, false);
});

async function startManager(): Promise<ManagerProcess> {
  // A pod timeout longer than the test: a node the new manager ran again would hold the job.
  const manager = await startManagerProcess(cluster, ["--pod-timeout=5m"]);
  running.push(manager);
  await manager.waitForLog(/Started leading/, 40_000);
  return manager;
}

describe("a manager that takes over a running job", () => {
  test("keeps the last one's record of deleted pods: no node runs again, and the results still count", async () => {
    const first = await startManager();
    await applyImageList(custom, "imagelist", ["docker.io/library/busybox:takeover"]);
    const job = await eventually("the job to start", async () => (await listImageJobs(custom)).find((j) => j.status?.phase === "Running"), 60_000);
    const name = job.metadata.name;
    const podsOn = async (node: string): Promise<V1Pod[]> => (await workerPods(core, name)).filter((p) => p.spec?.nodeName === node);
    const podOn = async (node: string): Promise<string> => eventually(`a pod on ${node}`, async () => (await podsOn(node))[0]?.metadata?.name);
    const forceDelete = (pod: string) => core.deleteNamespacedPod({ name: pod, namespace: operatorNamespace, gracePeriodSeconds: 0 });
    const status = async () => (await listImageJobs(custom)).find((j) => j.metadata.name === name)?.status;

    // to-done finishes, then goes, as the pod garbage collector deletes finished pods.
    const done = await podOn("to-done");
    await completePod(core, operatorNamespace, done, { remover: { exitCode: 0, message: nodeResult(5) } });
    await eventually("the manager to count to-done", async () => ((await status())?.succeeded === 1 ? true : undefined));
    await forceDelete(done);
    // to-retried's pod is deleted unfinished: it gets one more.
    const retried = await podOn("to-retried");
    await forceDelete(retried);
    await eventually("a second pod on to-retried", async () => (await podsOn("to-retried")).find((p) => p.metadata?.name !== retried));
    // to-drained is drained: cordoned, its pod evicted, stopped and gone.
    const drained = await podOn("to-drained");
    await core.patchNode({ name: "to-drained", body: { spec: { unschedulable: true } } }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
    await core.deleteNamespacedPod({ name: drained, namespace: operatorNamespace });
    await completePod(core, operatorNamespace, drained, { remover: { exitCode: 143 } });
    await forceDelete(drained);

    const record = await eventually("the record of deleted pods", async () => {
      const cm = await core.readNamespacedConfigMap({ name: `${name}-deleted-pods`, namespace: operatorNamespace }).catch(() => undefined);
      const data = cm?.data ?? {};
      return data["finished"]?.includes('"to-done"') === true && data["deletions"] === '{"to-retried":1}' && data["drained"] === "to-drained" ? data : undefined;
    }, 20_000);
    assert.equal(record["finished"], '["to-done","Succeeded",5,5000,0,0,0,0]');
    await first.stop({ kill: true });

    await startManager();
    const last = await podOn("to-last");
    await completePod(core, operatorNamespace, last, { remover: { exitCode: 0, message: nodeResult(3) } });
    // The new manager has looked at the job (a pod deleted before it first looks is one it never saw).
    await eventually("the new manager to count to-done and to-last", async () => ((await status())?.succeeded === 2 ? true : undefined), 20_000);
    const secondRetried = (await podsOn("to-retried"))[0]?.metadata?.name ?? "";
    await forceDelete(secondRetried);

    const ended = await eventually("the job to end", async () => {
      const s = await status();
      return s?.phase === "Completed" || s?.phase === "Failed" ? s : undefined;
    }, 30_000);
    const allNodes = (await core.listNode()).items.length;
    assert.deepEqual(
      { phase: ended.phase, succeeded: ended.succeeded, failed: ended.failed, skipped: ended.skipped, removed: ended.removed },
      { phase: "Failed", succeeded: 2, failed: 1, skipped: allNodes - 3, removed: 8 },
      "to-done's result counts; to-drained is skipped; to-retried failed on its second deletion",
    );
    assert.match(ended.failedNodes?.[0]?.reason ?? "", /^its worker pod was deleted before it finished, 2 times/);
    for (const node of ["to-done", "to-retried", "to-drained"]) assert.deepEqual((await podsOn(node)).map((p) => p.metadata?.name), [], `no new pod on ${node}`);
  });

  test("a manager stopped with SIGTERM first saves the deletions it had not written yet", async () => {
    for (const m of running.splice(0)) await m.stop({ kill: true });
    await deleteAllEraserObjects(custom);
    await core.patchNode({ name: "to-drained", body: { spec: { unschedulable: false } } }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
    const first = await startManager();
    await applyImageList(custom, "imagelist", ["docker.io/library/busybox:takeover-2"]);
    const job = await eventually("the job to start", async () => (await listImageJobs(custom)).find((j) => j.status?.phase === "Running"), 60_000);
    const name = job.metadata.name;
    const podsOn = async (node: string): Promise<string[]> => (await workerPods(core, name)).filter((p) => p.spec?.nodeName === node).map((p) => p.metadata?.name ?? "");
    const newPodOn = (node: string, not: string[] = []): Promise<string> => eventually(`a new pod on ${node}`, async () => (await podsOn(node)).find((p) => !not.includes(p)));
    const forceDelete = (pod: string) => core.deleteNamespacedPod({ name: pod, namespace: operatorNamespace, gracePeriodSeconds: 0 });
    const deletions = async (): Promise<string | undefined> => (await core.readNamespacedConfigMap({ name: `${name}-deleted-pods`, namespace: operatorNamespace }).catch(() => undefined))?.data?.["deletions"];

    // The first deletion is written at once; the second comes inside the 5 s in which the
    // manager does not write again, and the manager is stopped before they are over.
    const doneFirst = await newPodOn("to-done");
    await forceDelete(doneFirst);
    await eventually("the record of the first deletion", async () => ((await deletions()) === '{"to-done":1}' ? true : undefined), 10_000);
    const retriedFirst = await newPodOn("to-retried");
    await forceDelete(retriedFirst);
    await first.waitForLog(/"nodes":\["to-retried"\].*making them again, once/, 10_000);
    assert.equal(await deletions(), '{"to-done":1}', "the stop must come inside the 5 s without writes; this run came too late to test the save on stop");
    await first.stop();
    assert.equal(await deletions(), '{"to-done":1,"to-retried":1}', "the stopped manager saved the second deletion");

    await startManager();
    const retriedSecond = await newPodOn("to-retried", [retriedFirst]);
    await forceDelete(retriedSecond);
    for (const node of ["to-done", "to-drained", "to-last"]) {
      await completePod(core, operatorNamespace, await newPodOn(node, [doneFirst]), { remover: { exitCode: 0, message: nodeResult(1) } });
    }
    const ended = await eventually("the job to end", async () => {
      const s = (await listImageJobs(custom)).find((j) => j.metadata.name === name)?.status;
      return s?.phase === "Completed" || s?.phase === "Failed" ? s : undefined;
    }, 30_000);
    assert.deepEqual({ phase: ended.phase, succeeded: ended.succeeded, failed: ended.failed }, { phase: "Failed", succeeded: 3, failed: 1 }, "to-retried failed on its second deletion, the new manager's first");
    assert.match(ended.failedNodes?.[0]?.reason ?? "", /^its worker pod was deleted before it finished, 2 times/);
    assert.deepEqual(await podsOn("to-retried"), [], "no third pod on to-retried");
  });

  test("a manager that loses the lead and leads again counts what the other leader saw", async () => {
    for (const m of running.splice(0)) await m.stop({ kill: true });
    await deleteAllEraserObjects(custom);
    const first = await startManager();
    await applyImageList(custom, "imagelist", ["docker.io/library/busybox:takeover-3"]);
    const job = await eventually("the job to start", async () => (await listImageJobs(custom)).find((j) => j.status?.phase === "Running"), 60_000);
    const name = job.metadata.name;
    const podsOn = async (node: string): Promise<string[]> => (await workerPods(core, name)).filter((p) => p.spec?.nodeName === node).map((p) => p.metadata?.name ?? "");
    const podOn = (node: string): Promise<string> => eventually(`a pod on ${node}`, async () => (await podsOn(node))[0]);
    const status = async () => (await listImageJobs(custom)).find((j) => j.metadata.name === name)?.status;
    const done = await podOn("to-done");
    for (const node of nodes) await podOn(node);

    // Frozen past its lease (4 s here): another leads, sees to-done's pod finish, and records it
    // when the pod garbage collector takes it. Resumed, the first reads the watch events it missed,
    // in order, and leads again: to-done counts once and does not run again.
    first.child.kill("SIGSTOP");
    const second = await startManager();
    try {
      await completePod(core, operatorNamespace, done, { remover: { exitCode: 0, message: nodeResult(5) } });
      await eventually("the other leader to count to-done", async () => ((await status())?.succeeded === 1 ? true : undefined), 20_000);
      await core.deleteNamespacedPod({ name: done, namespace: operatorNamespace, gracePeriodSeconds: 0 });
      await eventually("the other leader's record of it", async () => {
        const cm = await core.readNamespacedConfigMap({ name: `${name}-deleted-pods`, namespace: operatorNamespace }).catch(() => undefined);
        return cm?.data?.["finished"]?.includes('"to-done"') === true ? true : undefined;
      }, 20_000);
    } finally {
      await second.stop({ kill: true });
      first.child.kill("SIGCONT");
    }
    const leads = (): number => first.logs.filter((l) => l.includes('"msg":"Started leading"')).length;
    await eventually("the first manager to lead again", () => Promise.resolve(leads() === 2 ? true : undefined), 40_000);
    await new Promise((r) => setTimeout(r, 3_000));
    assert.deepEqual(await podsOn("to-done"), [], "to-done finished under the other leader: it does not run again");
    for (const node of nodes.filter((n) => n !== "to-done")) await completePod(core, operatorNamespace, await podOn(node), { remover: { exitCode: 0, message: nodeResult(1) } });
    const ended = await eventually("the job to end", async () => {
      const s = await status();
      return s?.phase === "Completed" || s?.phase === "Failed" ? s : undefined;
    }, 30_000);
    assert.deepEqual({ phase: ended.phase, succeeded: ended.succeeded, removed: ended.removed }, { phase: "Completed", succeeded: 4, removed: 8 }, "to-done's result counts");
  });

  test("a manager resumed after another took its lease acts only once it leads again", async () => {
    for (const m of running.splice(0)) await m.stop({ kill: true });
    await deleteAllEraserObjects(custom);
    const first = await startManager();
    await applyImageList(custom, "imagelist", ["docker.io/library/busybox:takeover-4"]);
    const job = await eventually("the job to start", async () => (await listImageJobs(custom)).find((j) => j.status?.phase === "Running"), 60_000);
    const podOn = (node: string): Promise<string> => eventually(`a pod on ${node}`, async () => (await workerPods(core, job.metadata.name)).find((p) => p.spec?.nodeName === node)?.metadata?.name);
    const retried = await podOn("to-retried");

    // Frozen past its lease; another leads, and is killed: its lease runs on for up to 4 s.
    first.child.kill("SIGSTOP");
    const second = await startManager();
    await second.stop({ kill: true });
    // What the frozen one will see when it wakes: a pod of its job gone, unfinished.
    await core.deleteNamespacedPod({ name: retried, namespace: operatorNamespace, gracePeriodSeconds: 0 });
    const resumedAt = first.logs.length;
    first.child.kill("SIGCONT");
    const said = (msg: string): number => first.logs.findIndex((l, i) => i >= resumedAt && l.includes(`"msg":"${msg}"`));
    await eventually("the first manager to lead again", () => Promise.resolve(said("Started leading") >= 0 ? true : undefined), 40_000);
    await eventually("a new pod on to-retried", async () => ((await podOn("to-retried")) !== retried ? true : undefined), 20_000);
    assert.ok(said("Created worker pods") > said("Started leading"), `it made the pod again only once it led again:\n${first.logs.slice(resumedAt).join("\n")}`);
  });
});
