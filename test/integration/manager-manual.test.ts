// Manual mode end to end on the real API server: ImageList -> ImageJob -> one remover pod per
// selected node (the test plays the kubelet) -> job Completed by ratio, per-node results in the
// status, ImageList status filled, job and pods cleaned up after the delay.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { PatchStrategy, setHeaderOptions, type CoreV1Api, type CustomObjectsApi, type V1ConfigMap, type V1NodeStatus, type V1Pod } from "@kubernetes/client-node";
import { completePod, type TestCluster } from "../harness/index.ts";
import { eventually, operatorNamespace, startManagerProcess, type ManagerProcess } from "../harness/manager-run.ts";
import { applyImageList, deleteAllEraserObjects, getImageList, listImageJobs, nodeResult, optOutRealNodes, prepareManagerTest, setManagerConfig, workerPods } from "../harness/operator-fixtures.ts";

let cluster: TestCluster;
let core: CoreV1Api;
let custom: CustomObjectsApi;
let manager: ManagerProcess | undefined;
const virtual = ["mm-a", "mm-b", "mm-c"];

const config = `apiVersion: eraser.sh/v1alpha3
kind: EraserConfig
manager:
  imageJob:
    successRatio: 1.0
    cleanup: { delayOnSuccess: 3s, delayOnFailure: 3s }
  nodeFilter:
    type: exclude
    selectors: [eraser.sh/cleanup.filter, kubernetes.io/os=windows]
  pullSecrets: [regcred]
  additionalPodLabels: { team: platform }
components:
  collector: { enabled: false }
  scanner: { enabled: false }
  remover:
    image: { repo: example.test/remover, tag: t1 }
`;

before(async () => {
  // mm-c's kubelet lists a dangling image: `names: null`, as the kubelet sends it.
  const dangling = JSON.parse('{"images":[{"names":null,"sizeBytes":1000},{"names":["docker.io/library/app:1"],"sizeBytes":10}]}') as V1NodeStatus;
  // mm-b's Ready condition was written without times: the API server sends `lastTransitionTime:
  // null` for it (as a hand-made or virtual node's controller may leave it).
  const untimed = { conditions: [{ type: "Ready", status: "True", reason: "VirtualNode", message: "Ready set without times" }] };
  const specs = virtual.map((name) => (name === "mm-c" ? { name, status: dangling } : name === "mm-b" ? { name, status: untimed } : { name }));
  ({ cluster, core, custom } = await prepareManagerTest([...specs, { name: "mm-win", labels: { "kubernetes.io/os": "windows" } }]));
  await setManagerConfig(core, config);
  await core.createNamespacedConfigMap({
    namespace: operatorNamespace,
    body: { metadata: { name: "team-exclusions", labels: { "eraser.sh/exclude.list": "true" } }, data: { "excluded.json": '{"excluded": ["docker.io/library/nginx:*"]}' } },
  });
  manager = await startManagerProcess(cluster, ["--pod-timeout=15s"]);
  await manager.waitForLog(/Started leading/);
});

after(async () => {
  // node:test skips `before` when a name filter leaves no test here, but still runs `after`.
  if ((cluster as TestCluster | undefined) === undefined) return;
  await manager?.stop();
  await deleteAllEraserObjects(custom);
  await core.deleteNamespacedConfigMap({ name: "team-exclusions", namespace: operatorNamespace }).catch(() => undefined);
  for (const name of [...virtual, "mm-win", "mm-drained"]) await cluster.deleteNode(name);
  await optOutRealNodes(cluster, false);
});

/** client-node returns class instances; compare their data. */
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value)) as unknown;

async function jobFor(generation: number, timeoutMs?: number) {
  return eventually(`the ImageJob for generation ${generation}`, async () => (await listImageJobs(custom)).find((j) => j.metadata.annotations?.["eraser.sh/imagelist-generation"] === String(generation)), timeoutMs);
}

/**
 * A job's image-list ConfigMap. The manager creates the job, then the ConfigMap (which names the
 * job's uid as its owner), so the ConfigMap can trail the job by a moment.
 */
async function imageListOf(job: string): Promise<V1ConfigMap> {
  return eventually(`the image list of ${job}`, async () => core.readNamespacedConfigMap({ name: `${job}-imagelist`, namespace: operatorNamespace }).catch(() => undefined), 10_000);
}

async function getJob(name: string) {
  return (await listImageJobs(custom)).find((j) => j.metadata.name === name);
}

async function podsOf(job: string, count: number) {
  return eventually(`${count} worker pods`, async () => {
    const pods = await workerPods(core, job);
    return pods.length >= count ? pods : undefined;
  });
}

describe("manual mode", () => {
  test("an ImageList runs one remover pod per selected node and ends Completed with per-node results", async () => {
    await applyImageList(custom, "imagelist", ["docker.io/library/alpine:3.7.3"]);
    const job = await jobFor(1);
    assert.equal(job.metadata.ownerReferences?.[0]?.kind, "ImageList");
    const pods = await podsOf(job.metadata.name, 3);
    assert.deepEqual(pods.map((p) => p.spec?.nodeName).sort(), virtual, "the windows node and the opted-out real nodes get no pod; mm-c, with a dangling image in its status, and mm-b, with a Ready condition without times, get one");

    const pod = pods[0]!;
    assert.match(pod.metadata?.name ?? "", /^eraser-mm-[abc]-[a-z0-9]{5}$/);
    assert.deepEqual(pod.metadata?.labels, { team: "platform", "eraser.sh/type": "manual", "eraser.sh/job": job.metadata.name });
    const spec = pod.spec!;
    assert.equal(spec.restartPolicy, "Never");
    assert.equal(spec.serviceAccountName, "eraser-imagejob-pods");
    assert.deepEqual(plain(spec.tolerations), [{ operator: "Exists" }]);
    assert.deepEqual(plain(spec.imagePullSecrets), [{ name: "regcred" }]);
    assert.deepEqual(spec.containers.map((c) => c.name), ["remover"]);
    const remover = spec.containers[0]!;
    assert.equal(remover.image, "example.test/remover:t1");
    assert.ok(remover.args?.includes("--imagelist=/run/eraser.sh/imagelist/images"));
    assert.ok(remover.args?.includes("--exclusion-dir=/run/eraser.sh/excluded"));
    const socket = spec.volumes?.find((v) => v.hostPath?.path === "/run/containerd/containerd.sock");
    assert.equal(socket?.hostPath?.type, "Socket");
    assert.ok(remover.volumeMounts?.some((m) => m.name === socket.name && m.mountPath === "/run/cri/cri.sock"));
    assert.ok(remover.volumeMounts?.some((m) => m.mountPath === "/run/eraser.sh/excluded/team-exclusions"));
    const list = await imageListOf(job.metadata.name);
    assert.equal(list.data?.["images"], '["docker.io/library/alpine:3.7.3"]');

    for (const p of pods) await completePod(core, operatorNamespace, p.metadata!.name!, { remover: { exitCode: 0, message: nodeResult(2) } });
    const done = await eventually("the job to complete", async () => {
      const j = (await listImageJobs(custom)).find((x) => x.metadata.name === job.metadata.name);
      return j?.status?.phase === "Completed" ? j : undefined;
    });
    const nodes = (await core.listNode()).items.length;
    const s = done.status ?? {};
    assert.deepEqual(
      { desired: s.desired, succeeded: s.succeeded, failed: s.failed, skipped: s.skipped, removed: s.removed, removedBytes: s.removedBytes },
      { desired: nodes, succeeded: 3, failed: 0, skipped: nodes - 3, removed: 6, removedBytes: 6000 },
    );
    // The manager writes the ImageList's status just after the job's.
    const status = await eventually("the ImageList's status", async () => {
      const listed = (await getImageList(custom, "imagelist")).status;
      return listed?.timestamp === undefined ? undefined : listed;
    }, 10_000);
    assert.deepEqual({ success: status.success, failed: status.failed, skipped: status.skipped }, { success: 3, failed: 0, skipped: nodes - 3 });
    assert.equal(manager?.logs.some((l) => l.includes("dropped status fields")), false, "this project's CRDs keep every status field the manager writes");

    await eventually("job and pods to be cleaned up after delayOnSuccess", async () => {
      const jobs = await listImageJobs(custom);
      const left = await workerPods(core, job.metadata.name);
      return jobs.some((j) => j.metadata.name === job.metadata.name) || left.length > 0 ? undefined : true;
    });
  });

  test("a spec change while a job runs starts a new job when that one ends; a stuck pod times out", async () => {
    await applyImageList(custom, "imagelist", ["docker.io/library/busybox:1.0"]);
    // At once: the first job ran, finished and was deleted before the manager looked again, and
    // that once held the next job back for 30 s.
    const second = await jobFor(2, 10_000);
    const pods = await podsOf(second.metadata.name, 3);
    await applyImageList(custom, "imagelist", ["docker.io/library/busybox:2.0"]);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await listImageJobs(custom)).filter((j) => j.metadata.annotations?.["eraser.sh/imagelist-generation"] === "3").length, 0, "no second job while the first runs");
    // Two nodes finish; the third pod stays Pending, as on a node that is NotReady.
    for (const p of pods.slice(0, 2)) await completePod(core, operatorNamespace, p.metadata!.name!, { remover: { exitCode: 0, message: nodeResult(1) } });
    const failed = await eventually("the job to end by the pod timeout", async () => {
      const j = (await listImageJobs(custom)).find((x) => x.metadata.name === second.metadata.name);
      return j?.status?.phase === "Failed" ? j : undefined;
    }, 45_000);
    const status = failed.status ?? {};
    assert.equal(status.succeeded, 2);
    assert.equal(status.failed, 1);
    assert.match(status.failedNodes?.[0]?.reason ?? "", /did not finish within 15 s \(Pending\): the node's kubelet has reported no container of it \(is the node NotReady\?\)$/);
    const third = await jobFor(3);
    const list = await imageListOf(third.metadata.name);
    assert.equal(list.data?.["images"], '["docker.io/library/busybox:2.0"]', "the new job carries the latest spec");
  });

  test("a node that leaves the cluster mid-job is counted as skipped, gets no new pod, and the job completes", async () => {
    await cluster.addVirtualNodes([{ name: "mm-leaves" }]);
    const generation = ((await getImageList(custom, "imagelist")).metadata?.generation ?? 0) + 1;
    await applyImageList(custom, "imagelist", ["docker.io/library/busybox:3.0"]);
    const job = await eventually("the job to start", () => jobFor(generation), 60_000);
    const pods = await podsOf(job.metadata.name, 4);
    const leaving = pods.find((p) => p.spec?.nodeName === "mm-leaves");
    assert.ok(leaving, "the new node has a pod");
    for (const p of pods.filter((x) => x !== leaving)) await completePod(core, operatorNamespace, p.metadata!.name!, { remover: { exitCode: 0, message: nodeResult(1) } });
    // As the cluster autoscaler does: the node goes while its pod is still Pending.
    await cluster.deleteNode("mm-leaves");
    const done = await eventually("the job to end", async () => {
      const j = (await listImageJobs(custom)).find((x) => x.metadata.name === job.metadata.name);
      return j?.status?.phase === "Completed" || j?.status?.phase === "Failed" ? j : undefined;
    }, 60_000);
    const s = done.status ?? {};
    const nodes = (await core.listNode()).items.length;
    assert.deepEqual({ phase: s.phase, succeeded: s.succeeded, failed: s.failed, skipped: s.skipped, desired: s.desired }, { phase: "Completed", succeeded: 3, failed: 0, skipped: nodes - 3 + 1, desired: nodes + 1 });
    const gone = await eventually("a NodesGone event", async () => {
      const events = await core.listNamespacedEvent({ namespace: "default", fieldSelector: `involvedObject.name=${job.metadata.name}` });
      return events.items.find((e) => e.reason === "NodesGone");
    });
    assert.match(gone.message ?? "", /^1 node\(s\) left the cluster before their pod finished, counted as skipped: mm-leaves$/);
    const onLeaver = (await workerPods(core, job.metadata.name)).filter((p) => p.spec?.nodeName === "mm-leaves");
    assert.ok(onLeaver.every((p) => p.metadata?.uid === leaving.metadata?.uid), "no second pod for the node that left");
  });

  test("pods deleted mid-job: a finished one keeps its result, an unfinished one is made again once, then its node fails; a graceful delete says so", async () => {
    const generation = ((await getImageList(custom, "imagelist")).metadata?.generation ?? 0) + 1;
    await applyImageList(custom, "imagelist", ["docker.io/library/busybox:4.0"]);
    const job = await eventually("the job to start", () => jobFor(generation), 60_000);
    const pods = await podsOf(job.metadata.name, 3);
    const on = (node: string): V1Pod => {
      const found = pods.find((p) => p.spec?.nodeName === node);
      assert.ok(found, `a pod on ${node}`);
      return found;
    };
    // Forced deletions, as `kubectl delete pod --force` or the pod garbage collector do them.
    const remove = (p: V1Pod) => core.deleteNamespacedPod({ name: p.metadata!.name!, namespace: operatorNamespace, gracePeriodSeconds: 0 });
    const podsOn = async (node: string) => (await workerPods(core, job.metadata.name)).filter((p) => p.spec?.nodeName === node);

    await completePod(core, operatorNamespace, on("mm-a").metadata!.name!, { remover: { exitCode: 0, message: nodeResult(5) } });
    await eventually("the manager to see mm-a finish", async () => ((await getJob(job.metadata.name))?.status?.succeeded === 1 ? true : undefined));
    await remove(on("mm-a"));
    const firstB = on("mm-b");
    await remove(firstB);
    const secondB = await eventually("a second pod on mm-b", async () => (await podsOn("mm-b")).find((p) => p.metadata?.uid !== firstB.metadata?.uid));
    await remove(secondB);
    // A graceful delete, as a live kubelet carries it out: the containers get SIGTERM, the pod is
    // reported Failed, then it goes.
    const c = on("mm-c").metadata!.name!;
    await core.deleteNamespacedPod({ name: c, namespace: operatorNamespace });
    await new Promise((r) => setTimeout(r, 1000));
    assert.deepEqual((await podsOn("mm-c")).map((p) => p.metadata?.name), [c], "no second remover beside one still stopping");
    await completePod(core, operatorNamespace, c, { remover: { exitCode: 143 } });
    await eventually("the manager to see mm-b and mm-c fail", async () => ((await getJob(job.metadata.name))?.status?.failed === 2 ? true : undefined));
    await core.deleteNamespacedPod({ name: c, namespace: operatorNamespace, gracePeriodSeconds: 0 });

    const done = await eventually("the job to end", async () => {
      const j = await getJob(job.metadata.name);
      return j?.status?.phase === "Completed" || j?.status?.phase === "Failed" ? j : undefined;
    }, 30_000);
    const s = done.status ?? {};
    assert.deepEqual({ phase: s.phase, succeeded: s.succeeded, failed: s.failed, removed: s.removed }, { phase: "Failed", succeeded: 1, failed: 2, removed: 5 }, "mm-a's result outlived its pod");
    const reasons = Object.fromEntries((s.failedNodes ?? []).map((f) => [f.node, f.reason]));
    assert.match(reasons["mm-b"] ?? "", /^its worker pod was deleted before it finished, 2 times \(not by eraser-ts/);
    assert.equal(reasons["mm-c"], "worker exited 143: the pod was deleted while it ran (kubectl delete pod, a drain?)");
    for (const node of ["mm-a", "mm-b", "mm-c"]) assert.deepEqual(await podsOn(node), [], `no new pod on ${node}`);
  });

  test("a node drained mid-job (cordoned, its pod evicted) counts as skipped, gets no new pod, and the job completes", async () => {
    await cluster.addVirtualNodes([{ name: "mm-drained" }]);
    const generation = ((await getImageList(custom, "imagelist")).metadata?.generation ?? 0) + 1;
    await applyImageList(custom, "imagelist", ["docker.io/library/busybox:5.0"]);
    const job = await eventually("the job to start", () => jobFor(generation), 60_000);
    const pods = await podsOf(job.metadata.name, 4);
    const draining = pods.find((p) => p.spec?.nodeName === "mm-drained");
    assert.ok(draining, "the new node has a pod");
    for (const p of pods.filter((x) => x !== draining)) await completePod(core, operatorNamespace, p.metadata!.name!, { remover: { exitCode: 0, message: nodeResult(1) } });
    // As `kubectl drain` does: cordon, then evict; the kubelet stops the pod, reports it, and it goes.
    await core.patchNode({ name: "mm-drained", body: { spec: { unschedulable: true } } }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
    const name = draining.metadata!.name!;
    await core.deleteNamespacedPod({ name, namespace: operatorNamespace });
    await completePod(core, operatorNamespace, name, { remover: { exitCode: 143 } });
    await core.deleteNamespacedPod({ name, namespace: operatorNamespace, gracePeriodSeconds: 0 });
    const done = await eventually("the job to end", async () => {
      const j = await getJob(job.metadata.name);
      return j?.status?.phase === "Completed" || j?.status?.phase === "Failed" ? j : undefined;
    }, 30_000);
    const s = done.status ?? {};
    const nodes = (await core.listNode()).items.length;
    assert.deepEqual({ phase: s.phase, succeeded: s.succeeded, failed: s.failed, skipped: s.skipped }, { phase: "Completed", succeeded: 3, failed: 0, skipped: nodes - 3 });
    const drained = await eventually("a NodesDrained event", async () => {
      const events = await core.listNamespacedEvent({ namespace: "default", fieldSelector: `involvedObject.name=${job.metadata.name}` });
      return events.items.find((e) => e.reason === "NodesDrained");
    });
    assert.match(drained.message ?? "", /^1 node\(s\) were drained \(cordoned, their worker pod deleted\) before their pod finished, counted as skipped: mm-drained$/);
    assert.deepEqual((await workerPods(core, job.metadata.name)).filter((p) => p.spec?.nodeName === "mm-drained"), [], "no new pod on the drained node");
    await cluster.deleteNode("mm-drained");
  });

  test("with a node filter that does not name Windows, the Windows node still gets no pod, counts as skipped, and the JobStarted Event says why", async () => {
    await setManagerConfig(core, config.replace("selectors: [eraser.sh/cleanup.filter, kubernetes.io/os=windows]", "selectors: []"));
    await manager!.waitForLog(/Loaded changed manager config/);
    const earlier = new Set((await listImageJobs(custom)).map((j) => j.metadata.name));
    await applyImageList(custom, "imagelist", ["docker.io/library/alpine:3.20"]);
    const job = await eventually("the new job", async () => (await listImageJobs(custom)).find((j) => !earlier.has(j.metadata.name) && j.status?.desired !== undefined));
    const pods = await podsOf(job.metadata.name, 3);
    await new Promise((r) => setTimeout(r, 1000));
    assert.deepEqual((await workerPods(core, job.metadata.name)).map((p) => p.spec?.nodeName).sort(), virtual, "no pod on mm-win");
    for (const p of pods) await completePod(core, operatorNamespace, p.metadata!.name!, { remover: { exitCode: 0, message: nodeResult(1) } });
    const done = await eventually("the job to complete", async () => {
      const j = (await listImageJobs(custom)).find((x) => x.metadata.name === job.metadata.name);
      return j?.status?.phase === "Completed" || j?.status?.phase === "Failed" ? j : undefined;
    });
    const nodes = (await core.listNode()).items.length;
    assert.deepEqual([done.status?.phase, done.status?.succeeded, done.status?.skipped], ["Completed", 3, nodes - 3]);
    const started = await eventually("a JobStarted Event", async () => {
      const events = await core.listNamespacedEvent({ namespace: "default", fieldSelector: `involvedObject.name=${job.metadata.name}` });
      return events.items.find((e) => e.reason === "JobStarted");
    });
    assert.match(started.message ?? "", /^manual job started: 3 of \d+ nodes selected \(1 not Linux, left out: the worker runs on Linux only\)$/);
    await setManagerConfig(core, config);
  });

  test("an ImageList with another name is not acted on, and says so in an Event", async () => {
    await applyImageList(custom, "my-list", ["docker.io/library/alpine:1"]);
    const event = await eventually("an Ignored event", async () => {
      const events = await core.listNamespacedEvent({ namespace: "default", fieldSelector: "involvedObject.name=my-list" });
      return events.items.find((e) => e.reason === "Ignored");
    });
    assert.match(event.message ?? "", /only the ImageList named "imagelist" is acted on/);
    assert.equal((await listImageJobs(custom)).filter((j) => j.metadata.ownerReferences?.[0]?.name === "my-list").length, 0);
  });
});
