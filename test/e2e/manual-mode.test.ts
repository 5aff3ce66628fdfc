// The whole operator, as a user runs it: an ImageList makes the manager start a real remover pod
// (the worker image built here) on a real kubelet, which removes the listed image from the node's
// containerd over the CRI, keeps what a running container uses, and reports back into the API.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { GrpcCriClient } from "../../src/cri/grpc-client.ts";
import { buildImageLayout, busyboxImage, importImages, markerImage, sharedCluster, type TestCluster } from "../harness/index.ts";
import { manyTeamsImages } from "../harness/large-lists.ts";
import { eventually, operatorNamespace } from "../harness/manager-run.ts";
import { applyImageList, deleteAllEraserObjects, getImageList, listImageJobs, workerPods } from "../harness/operator-fixtures.ts";
import { loadImages, localWorkerImage, startOperatorStack, type OperatorStack } from "../harness/operator-stack.ts";
import { runPod, waitForPod } from "../harness/pods.ts";
import type { V1Pod } from "@kubernetes/client-node";

const lib = (name: string): string => `docker.io/library/${name}`;
const victim = lib("e2e-victim:1");
const inUse = lib("e2e-in-use:1");
const unlisted = lib("e2e-unlisted:1");
const appNamespace = "e2e-app";
const work = mkdtempSync("/tmp/ets-e2e-");
let cluster: TestCluster | undefined;
let stack: OperatorStack | undefined;
let cri: GrpcCriClient | undefined;

const onBothNodes = lib("e2e-on-both-nodes:1");
const awaited = lib("e2e-awaited:1");
const inLargeList = lib("e2e-in-large-list:1");
/** Long enough to outlast a manual job on this ground (seconds), short enough to wait for. */
const initSeconds = 45;

async function tags(endpoint?: string): Promise<Set<string>> {
  assert.ok(cri);
  const client = endpoint === undefined ? cri : new GrpcCriClient(endpoint);
  try {
    return new Set((await client.listImages()).flatMap((i) => i.repoTags));
  } finally {
    if (client !== cri) client.close();
  }
}

before(async () => {
  cluster = await sharedCluster();
  stack = await startOperatorStack(cluster, work, [markerImage(victim), busyboxImage(inUse), markerImage(unlisted), busyboxImage(awaited), markerImage(inLargeList)]);
  cri = new GrpcCriClient(stack.node.containerd.endpoint);
  await stack.core.createNamespace({ body: { metadata: { name: appNamespace } } }).catch(() => undefined);
  await runPod(stack.core, { namespace: appNamespace, name: "app", node: stack.node.name, image: inUse, command: ["/bin/sleep", "3600"] });
  await waitForPod(stack.core, appNamespace, "app", (_phase, running) => running);
});

after(async () => {
  if (stack === undefined || cluster === undefined) return;
  cri?.close();
  await deleteAllEraserObjects(stack.custom);
  await stack.core.deleteNamespace({ name: appNamespace }).catch(() => undefined);
  await stack.stop();
  rmSync(work, { recursive: true, force: true });
});

describe("manual mode on a real node", () => {
  test("an ImageList removes the listed image with a real remover pod and keeps the one a running container uses", async () => {
    assert.ok(stack);
    const before = await tags();
    for (const ref of [victim, inUse, unlisted]) assert.ok(before.has(ref), `${ref} is on the node before the run`);

    await applyImageList(stack.custom, "imagelist", [victim, inUse]);
    const custom = stack.custom;
    const job = await eventually(
      "the ImageJob to finish",
      async () => (await listImageJobs(custom)).find((j) => j.status?.phase === "Completed" || j.status?.phase === "Failed"),
      180_000,
    );
    const pods = await workerPods(stack.core, job.metadata.name);
    const logs = pods.length === 1 ? await cluster?.kubectl(["logs", "-n", operatorNamespace, pods[0]?.metadata?.name ?? "", "-c", "remover"]) : undefined;
    assert.equal(job.status?.phase, "Completed", `job ${job.metadata.name}: ${JSON.stringify(job.status)}\nremover log:\n${logs?.stdout ?? ""}${logs?.stderr ?? ""}`);
    assert.equal(pods.length, 1, "one worker pod, on the one selected node");
    assert.equal(pods[0]?.spec?.nodeName, stack.node.name);
    assert.equal(pods[0]?.spec?.containers[0]?.image, `${localWorkerImage.repo}:${localWorkerImage.tag}`);
    assert.equal(job.status.removed, 1, "the job's status counts the node's removal");
    assert.match(logs?.stdout ?? "", /"decision":"removed"/, "the remover logs its decisions, as kubectl logs shows them");

    const after = await tags();
    assert.ok(!after.has(victim), "the listed, unused image is gone from containerd");
    assert.ok(after.has(inUse), "the image a running container uses stays");
    assert.ok(after.has(unlisted), "an image nobody listed stays");
    assert.ok(after.has(`${localWorkerImage.repo}:${localWorkerImage.tag}`), "the worker's own image stays");

    const list = await eventually("the ImageList status", async () => {
      const current = await getImageList(custom, "imagelist");
      return current.status?.success === undefined ? undefined : current;
    });
    assert.equal(list.status?.success, 1);
    assert.equal(list.status?.failed ?? 0, 0);
  });

  test("with the filter lifted, a job runs one remover pod on each real node, and each removes its own copy", async () => {
    assert.ok(stack && cluster);
    const second = cluster.realNodes()[1];
    assert.ok(second, "the test ground has a second real node");
    // Every real node has its runtime socket at one path (its own mount namespace), so the
    // manager's one config reaches each node's containerd, as on a cluster.
    await loadImages(second, work, [markerImage(onBothNodes)], false);
    const tar = join(work, "on-both.tar");
    buildImageLayout([markerImage(onBothNodes)], tar);
    await importImages(stack.node.containerd, tar);
    for (const endpoint of [stack.node.containerd.endpoint, second.containerd.endpoint]) assert.ok((await tags(endpoint)).has(onBothNodes));
    const earlier = new Set((await listImageJobs(stack.custom)).map((j) => j.metadata.name));
    await cluster.kubectl(["label", "node", second.name, "eraser.sh/cleanup.filter-"]);

    await applyImageList(stack.custom, "imagelist", [onBothNodes]);
    const custom = stack.custom;
    const job = await eventually(
      "the two-node job to finish",
      async () => (await listImageJobs(custom)).find((j) => !earlier.has(j.metadata.name) && (j.status?.phase === "Completed" || j.status?.phase === "Failed")),
      180_000,
    );
    assert.equal(job.status?.phase, "Completed", JSON.stringify(job.status));
    const pods = await workerPods(stack.core, job.metadata.name);
    assert.deepEqual(pods.map((p) => p.spec?.nodeName).sort(), [stack.node.name, second.name].sort(), "one remover pod per real node");
    assert.equal(job.status.removed, 2, "the job's status adds up both nodes' removals");
    for (const endpoint of [stack.node.containerd.endpoint, second.containerd.endpoint]) {
      assert.ok(!(await tags(endpoint)).has(onBothNodes), `the listed image is gone from ${endpoint}`);
    }
  });

  test("an image a pod still waits for (its init container running) is kept even when listed, and the pod then starts with imagePullPolicy Never", async () => {
    assert.ok(stack && cluster);
    const core = stack.core;
    await core.createNamespacedPod({
      namespace: appNamespace,
      body: {
        metadata: { name: "awaiting" },
        spec: {
          nodeName: stack.node.name,
          restartPolicy: "Never",
          automountServiceAccountToken: false,
          terminationGracePeriodSeconds: 0,
          initContainers: [{ name: "migrate", image: inUse, imagePullPolicy: "Never", command: ["/bin/sleep", String(initSeconds)] }],
          containers: [{ name: "app", image: awaited, imagePullPolicy: "Never", command: ["/bin/sleep", "3600"] }],
        },
      },
    });
    const initRunning = (pod: V1Pod): boolean => pod.status?.initContainerStatuses?.[0]?.state?.running !== undefined;
    await eventually("the init container to run", async () => (initRunning(await core.readNamespacedPod({ name: "awaiting", namespace: appNamespace })) ? true : undefined), 60_000);
    assert.ok((await tags()).has(awaited), "the app's image is on the node, and no container uses it yet");

    const earlier = new Set((await listImageJobs(stack.custom)).map((j) => j.metadata.name));
    await applyImageList(stack.custom, "imagelist", [awaited]);
    const custom = stack.custom;
    const job = await eventually("the job to finish", async () => (await listImageJobs(custom)).find((j) => !earlier.has(j.metadata.name) && (j.status?.phase === "Completed" || j.status?.phase === "Failed")), 180_000);
    const during = await core.readNamespacedPod({ name: "awaiting", namespace: appNamespace });
    assert.ok(initRunning(during), `the job ended after the init container did, so this run proves nothing: raise initSeconds (${initSeconds})`);
    assert.equal(job.status?.phase, "Completed", JSON.stringify(job.status));
    assert.equal(job.status.removed, 0, "nothing was removed");
    const pod = (await workerPods(core, job.metadata.name)).find((p) => p.spec?.nodeName === stack?.node.name);
    assert.ok(pod?.spec?.containers[0]?.args?.includes(`--pod-image=${awaited}`), "the manager gave the remover the waiting pod's images");
    assert.match(pod?.status?.containerStatuses?.[0]?.state?.terminated?.message ?? "", /"awaited":1/, "the node's result says why the image stayed");
    assert.ok((await tags()).has(awaited), "the listed image a pod waits for is still on the node");

    await waitForPod(core, appNamespace, "awaiting", (_phase, running) => running, (initSeconds + 60) * 1000);
  });

  test("a list larger than a ConfigMap holds as text reaches the node gzipped, and its image goes (ADR 0025)", async () => {
    assert.ok(stack && cluster);
    assert.ok((await tags()).has(inLargeList));
    // ~1.1 MB of JSON: more than a ConfigMap's 1 MiB as text, as a registry-wide list can be.
    const images = [...manyTeamsImages(), inLargeList];
    const earlier = new Set((await listImageJobs(stack.custom)).map((j) => j.metadata.name));
    await applyImageList(stack.custom, "imagelist", images);
    const custom = stack.custom;
    const job = await eventually("the job to finish", async () => (await listImageJobs(custom)).find((j) => !earlier.has(j.metadata.name) && (j.status?.phase === "Completed" || j.status?.phase === "Failed")), 180_000);
    assert.equal(job.status?.phase, "Completed", JSON.stringify(job.status));
    const carried = await stack.core.readNamespacedConfigMap({ name: `${job.metadata.name}-imagelist`, namespace: operatorNamespace });
    assert.equal(gunzipSync(Buffer.from(carried.binaryData?.["images"] ?? "", "base64")).toString("utf8"), JSON.stringify(images), "the list went gzipped");
    assert.equal(job.status.removed, 1, "the one listed image on a node went");
    assert.ok(!(await tags()).has(inLargeList), "the listed image is gone from containerd");
  });
});
