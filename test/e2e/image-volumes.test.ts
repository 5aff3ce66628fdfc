// Image volumes (Kubernetes `volumes[].image`, KEP 4639, on by default since 1.35) on a real
// kubelet over containerd 2: an image a pod mounts as a volume is used by the container that mounts
// it, though no container record names it, and a pod whose init container still runs will mount
// its volume's image next. Both stay when an ImageList lists them; the same images go from the
// node where nothing mounts them.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import type { V1Pod } from "@kubernetes/client-node";
import { GrpcCriClient } from "../../src/cri/grpc-client.ts";
import { busyboxImage, markerImage, sharedCluster, type RealNode, type TestCluster } from "../harness/index.ts";
import { eventually } from "../harness/manager-run.ts";
import { applyImageList, deleteAllEraserObjects, listImageJobs, workerPods } from "../harness/operator-fixtures.ts";
import { startOperatorStack, type OperatorStack } from "../harness/operator-stack.ts";
import { waitForPod } from "../harness/pods.ts";

const lib = (name: string): string => `docker.io/library/${name}`;
const app = lib("iv-app:1");
const mounted = lib("iv-mounted:1");
const awaited = lib("iv-awaited:1");
const victim = lib("iv-victim:1");
const appNamespace = "e2e-image-volumes";
/** Long enough to outlast a manual job on this ground (seconds), short enough to wait for. */
const initSeconds = 45;
const work = mkdtempSync("/tmp/ets-e2e-iv-");
let cluster: TestCluster | undefined;
let stack: OperatorStack | undefined;
/** The node on containerd 2, which mounts image volumes (containerd 1.6 does not). */
let node2: RealNode | undefined;

async function tags(node: RealNode): Promise<Set<string>> {
  const cri = new GrpcCriClient(node.containerd.endpoint);
  try {
    return new Set((await cri.listImages()).flatMap((i) => i.repoTags));
  } finally {
    cri.close();
  }
}

/** A pod on node-2 whose `main` container mounts `image` at /data; with `initSeconds`, an init container sleeps first. */
function podMounting(name: string, image: string, init?: number): V1Pod {
  const initContainers = init === undefined ? [] : [{ name: "wait", image: app, imagePullPolicy: "Never", command: ["/bin/sleep", String(init)] }];
  return {
    metadata: { name },
    spec: {
      nodeName: node2?.name ?? "",
      restartPolicy: "Never",
      automountServiceAccountToken: false,
      terminationGracePeriodSeconds: 0,
      initContainers,
      containers: [{ name: "main", image: app, imagePullPolicy: "Never", command: ["/bin/sleep", "3600"], volumeMounts: [{ name: "data", mountPath: "/data" }] }],
      volumes: [{ name: "data", image: { reference: image, pullPolicy: "Never" } }],
    },
  };
}

/** Applies an ImageList and returns its finished job and node-2's remover result. */
async function runList(images: string[]): Promise<{ removed: number | undefined; node2Result: string }> {
  assert.ok(stack && node2);
  const custom = stack.custom;
  const earlier = new Set((await listImageJobs(custom)).map((j) => j.metadata.name));
  await applyImageList(custom, "imagelist", images);
  const job = await eventually("the job to finish", async () => (await listImageJobs(custom)).find((j) => !earlier.has(j.metadata.name) && (j.status?.phase === "Completed" || j.status?.phase === "Failed")), 180_000);
  assert.equal(job.status?.phase, "Completed", JSON.stringify(job.status));
  const pod = (await workerPods(stack.core, job.metadata.name)).find((p) => p.spec?.nodeName === node2?.name);
  return { removed: job.status?.removed, node2Result: pod?.status?.containerStatuses?.[0]?.state?.terminated?.message ?? "" };
}

before(async () => {
  cluster = await sharedCluster();
  node2 = cluster.realNodes()[1];
  assert.ok(node2, "the test ground has a second real node");
  stack = await startOperatorStack(cluster, work, [busyboxImage(app), markerImage(mounted), markerImage(awaited), markerImage(victim)], { everyRealNode: true });
  const cri = new GrpcCriClient(node2.containerd.endpoint);
  try {
    assert.match((await cri.version()).runtimeVersion, /^v2\./, "node-2 runs containerd 2");
  } finally {
    cri.close();
  }
  await stack.core.createNamespace({ body: { metadata: { name: appNamespace } } }).catch(() => undefined);
});

after(async () => {
  if (stack === undefined || cluster === undefined) return;
  await deleteAllEraserObjects(stack.custom);
  const core = stack.core;
  await core.deleteNamespace({ name: appNamespace }).catch(() => undefined);
  // Later tests scan and prune what is on the nodes: the stack removes this file's images once its pods are gone.
  await eventually("the pods to go", async () => ((await core.listNamespacedPod({ namespace: appNamespace })).items.length === 0 ? true : undefined), 60_000);
  await stack.stop();
  rmSync(work, { recursive: true, force: true });
});

describe("image volumes on a real node", () => {
  test("an image a running container mounts as a volume stays, kept as in use; unmounted on the other node, it goes", async () => {
    assert.ok(stack && node2);
    await stack.core.createNamespacedPod({ namespace: appNamespace, body: podMounting("reader", mounted) });
    await waitForPod(stack.core, appNamespace, "reader", (_phase, running) => running);
    const [node1] = stack.nodes;
    assert.ok(node1);

    const { removed, node2Result } = await runList([mounted, victim]);
    assert.match(node2Result, /"in-use":1/, `node-2's remover saw the mount itself, before the manager's list of the pod's images: ${node2Result}`);
    assert.ok((await tags(node2)).has(mounted), "the mounted image stays on node-2");
    assert.ok(!(await tags(node2)).has(victim), "node-2 still removes what nothing uses");
    assert.ok(!(await tags(node1)).has(mounted), "node-1, where nothing mounts it, removes it");
    assert.equal(removed, 3);
  });

  test("an image volume a pod waits to mount (its init container running) stays, and the pod then starts with it", async () => {
    assert.ok(stack && node2);
    const core = stack.core;
    await core.createNamespacedPod({ namespace: appNamespace, body: podMounting("waiting", awaited, initSeconds) });
    const initRunning = (pod: V1Pod): boolean => pod.status?.initContainerStatuses?.[0]?.state?.running !== undefined;
    await eventually("the init container to run", async () => (initRunning(await core.readNamespacedPod({ name: "waiting", namespace: appNamespace })) ? true : undefined), 60_000);

    const { node2Result } = await runList([awaited]);
    assert.ok(initRunning(await core.readNamespacedPod({ name: "waiting", namespace: appNamespace })), `the job ended after the init container did, so this run proves nothing: raise initSeconds (${initSeconds})`);
    assert.match(node2Result, /"awaited":1/, `the manager passed the pod's volume image: ${node2Result}`);
    assert.ok((await tags(node2)).has(awaited), "the image the pod will mount is still on node-2");
    await waitForPod(core, appNamespace, "waiting", (_phase, running) => running, (initSeconds + 60) * 1000);
  });
});
