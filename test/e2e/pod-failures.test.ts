// A worker pod the real kubelet cannot run: the job's status names the container and the kubelet's
// reason. An image name the kubelet cannot parse fails the node at once; an image that cannot be
// pulled (this machine reaches no registry) fails it at the pod timeout; a node whose kubelet
// stops reporting fails at the pod timeout, and its pod never runs once the kubelet is back.
// Nothing is removed.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import type { ImageJob } from "../../src/api/imagejob.ts";
import { GrpcCriClient } from "../../src/cri/grpc-client.ts";
import { markerImage, sharedCluster, type TestCluster } from "../harness/index.ts";
import { eventually, operatorNamespace } from "../harness/manager-run.ts";
import { nodeState } from "../harness/node-state.ts";
import { applyImageList, deleteAllEraserObjects, listImageJobs, setManagerConfig, workerPods } from "../harness/operator-fixtures.ts";
import { localWorkerImage, realNodeConfig, startOperatorStack, type OperatorStack } from "../harness/operator-stack.ts";

const victim = "docker.io/library/e2e-pod-failures-victim:1";
const podTimeoutS = 30;
const work = mkdtempSync("/tmp/ets-e2e-");
let cluster: TestCluster | undefined;
let stack: OperatorStack | undefined;

before(async () => {
  cluster = await sharedCluster();
  stack = await startOperatorStack(cluster, work, [markerImage(victim)], { managerArgs: [`--pod-timeout=${podTimeoutS}s`] });
});

after(async () => {
  if (stack === undefined) return;
  await deleteAllEraserObjects(stack.custom);
  await stack.stop();
  rmSync(work, { recursive: true, force: true });
});

/** Replaces the remover's image line with `remover` and waits until the manager has loaded that config. */
async function useRemover(s: OperatorStack, remover: string): Promise<void> {
  const base = realNodeConfig();
  const shipped = `image: { repo: ${localWorkerImage.repo}, tag: ${localWorkerImage.tag} }`;
  assert.ok(base.includes(shipped));
  const wanted = base.replace(shipped, remover);
  const current = await s.core.readNamespacedConfigMap({ name: "eraser-manager-config", namespace: operatorNamespace });
  if (current.data?.["controller_manager_config.yaml"] === wanted) return;
  const reloads = (): number => s.manager.logs.filter((l) => l.includes("Loaded changed manager config")).length;
  const before = reloads();
  await setManagerConfig(s.core, wanted);
  await eventually("the manager to load the new config", () => Promise.resolve(reloads() > before ? true : undefined));
}

async function jobThatEnds(s: OperatorStack, seen: ReadonlySet<string>, timeoutMs: number): Promise<ImageJob> {
  return eventually("the job to end", async () => (await listImageJobs(s.custom)).find((j) => !seen.has(j.metadata.name) && (j.status?.phase === "Completed" || j.status?.phase === "Failed")), timeoutMs);
}

/** A pod that never ran goes when its job ends (not at the cleanup 10 minutes later), freeing its requests. */
async function podsGone(s: OperatorStack, job: string): Promise<void> {
  await eventually("the job's unstarted pod to go", async () => ((await workerPods(s.core, job)).length === 0 ? true : undefined), 60_000);
}

async function victimStays(s: OperatorStack): Promise<void> {
  const cri = new GrpcCriClient(s.node.containerd.endpoint);
  try {
    assert.ok((await cri.listImages()).some((i) => i.repoTags.includes(victim)), "the listed image is still on the node");
  } finally {
    cri.close();
  }
}

/** The pod sandboxes and containers a pod ever had on a node's containerd (the kubelet labels them). */
async function runtimeTraces(s: OperatorStack, pod: string): Promise<number> {
  const cri = new GrpcCriClient(s.node.containerd.endpoint);
  try {
    const sandboxes = (await cri.listPodSandboxes()).filter((x) => x.name === pod && x.namespace === operatorNamespace);
    return sandboxes.length + (await cri.listContainers()).filter((c) => c.labels["io.kubernetes.pod.name"] === pod).length;
  } finally {
    cri.close();
  }
}

describe("a worker pod the kubelet cannot run", () => {
  test("an image name the kubelet cannot parse fails the node at once, with the kubelet's reason", async () => {
    assert.ok(stack);
    await useRemover(stack, "image: { repo: localhost/Eraser-TS/eraser-worker, tag: local }");
    const seen = new Set((await listImageJobs(stack.custom)).map((j) => j.metadata.name));
    await applyImageList(stack.custom, "imagelist", [victim]);
    const job = await jobThatEnds(stack, seen, 120_000);
    assert.equal(job.status?.phase, "Failed", JSON.stringify(job.status));
    assert.deepEqual(job.status?.failedNodes?.map((f) => f.node), [stack.node.name]);
    const reason = job.status?.failedNodes?.[0]?.reason ?? "";
    // "can never run", not "did not finish within 30 s": the node failed before its pod timeout.
    assert.match(reason, /^worker pod eraser-\S+ can never run: container remover cannot start \(InvalidImageName: .*Eraser-TS/, reason);
    await podsGone(stack, job.metadata.name);
    await victimStays(stack);
  });

  test("an image that cannot be pulled fails the node at the pod timeout, naming the pull error", async () => {
    assert.ok(stack);
    await useRemover(stack, "image: { repo: localhost/eraser-ts/absent, tag: nope }");
    const seen = new Set((await listImageJobs(stack.custom)).map((j) => j.metadata.name));
    await applyImageList(stack.custom, "imagelist", [victim, "docker.io/library/e2e-pod-failures-other:1"]);
    const job = await jobThatEnds(stack, seen, (podTimeoutS + 90) * 1000);
    assert.equal(job.status?.phase, "Failed", JSON.stringify(job.status));
    const reason = job.status?.failedNodes?.[0]?.reason ?? "";
    assert.match(reason, new RegExp(`^worker pod eraser-\\S+ did not finish within ${podTimeoutS} s \\(Pending\\): container remover cannot start \\((ErrImagePull|ImagePullBackOff): .*localhost/eraser-ts/absent:nope`), reason);
    await podsGone(stack, job.metadata.name);
    await victimStays(stack);
  });

  test("a node whose kubelet stops reporting fails at the pod timeout, and its pod never runs when the kubelet comes back", async () => {
    assert.ok(stack && cluster);
    const s = stack;
    await useRemover(s, `image: { repo: ${localWorkerImage.repo}, tag: ${localWorkerImage.tag} }`);
    const node = s.node.name;
    const seen = new Set((await listImageJobs(s.custom)).map((j) => j.metadata.name));
    cluster.freezeKubelet(node);
    let pod = "";
    try {
      // The node lifecycle controller's grace period (50 s by default) before it calls the node lost.
      await eventually("the control plane to call the node lost", async () => ((await nodeState(s.core, node)).ready === "Unknown" ? true : undefined), 120_000);
      await applyImageList(s.custom, "imagelist", [victim]);
      const job = await jobThatEnds(s, seen, (podTimeoutS + 90) * 1000);
      assert.equal(job.status?.phase, "Failed", JSON.stringify(job.status));
      assert.match(job.status?.failedNodes?.[0]?.reason ?? "", new RegExp(`^worker pod eraser-\\S+ cannot finish: node ${node} has not been Ready \\(Unknown\\) since `));
      // The manager deletes it just after it writes the job's end, so allow it a moment.
      const pods = await eventually(
        "the pod that never ran to be deleted when its job ends (only its kubelet can finish the deletion)",
        async () => {
          const listed = await workerPods(s.core, job.metadata.name);
          return listed.every((p) => p.metadata?.deletionTimestamp !== undefined) ? listed : undefined;
        },
        10_000,
      );
      assert.equal(pods.length, 1);
      pod = pods[0]?.metadata?.name ?? "";
    } finally {
      cluster.thawKubelet(node);
    }
    // Back: the kubelet must finish the deletion without starting the pod for a job already decided.
    await eventually("the node to be Ready and untainted again", async () => {
      const state = await nodeState(s.core, node);
      return state.ready === "True" && !state.unreachable ? true : undefined;
    }, 120_000);
    await eventually("the deleted pod to go", async () => ((await s.core.listNamespacedPod({ namespace: operatorNamespace, fieldSelector: `metadata.name=${pod}` })).items.length === 0 ? true : undefined), 60_000);
    assert.equal(await runtimeTraces(s, pod), 0, "no sandbox or container of the pod was ever made on the node");
    await victimStays(s);
  });
});
