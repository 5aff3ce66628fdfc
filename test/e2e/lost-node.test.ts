// A node lost while its worker pod runs, on a real kubelet: the kubelet is frozen once the pod is
// running, and containerd runs the scan to its end without it. The remover then waits for the
// node's pods' images after the scan (ADR 0023), which nobody can give it while the kubelet is
// gone, so the lost node removes nothing. The control plane calls the node lost, and the job
// counts it failed at the pod timeout. When the kubelet is back, the manager gives the remover its
// list, the remover removes what the scan flagged, and a NodeFinishedLate Event says so; the job's
// result stays as it ended.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { CoreV1Api, type CoreV1Event } from "@kubernetes/client-node";
import { GrpcCriClient } from "../../src/cri/grpc-client.ts";
import { markerImage, sharedCluster, vulnerableAlpineImage, type TestCluster } from "../harness/index.ts";
import { eventually, operatorNamespace } from "../harness/manager-run.ts";
import { nodeState } from "../harness/node-state.ts";
import { deleteAllEraserObjects, dropSchedule, listImageJobs, workerPods } from "../harness/operator-fixtures.ts";
import { startOperatorStack, type OperatorStack } from "../harness/operator-stack.ts";
import { prepareTrivyDb } from "../harness/trivy.ts";

const lib = (name: string): string => `docker.io/library/${name}`;
const vulnerable = lib("lost-vulnerable:3.9");
/** Images for trivy to scan, so that the pod runs for some seconds after it is reported running. */
const ballast = Array.from({ length: 80 }, (_, i) => lib(`lost-ballast-${i}:1`));
const podTimeoutS = 30;
const work = mkdtempSync("/tmp/ets-e2e-lost-");
const trivyCache = join(work, "trivy-cache");
let cluster: TestCluster | undefined;
let stack: OperatorStack | undefined;

before(async () => {
  cluster = await sharedCluster();
  prepareTrivyDb(trivyCache);
  await dropSchedule(cluster.kubeConfig().makeApiClient(CoreV1Api));
  stack = await startOperatorStack(cluster, work, [vulnerableAlpineImage(vulnerable), ...ballast.map((ref) => markerImage(ref))], {
    scan: { scannerConfig: `cacheDir: ${trivyCache}\noffline: true` },
    managerArgs: [`--pod-timeout=${podTimeoutS}s`],
  });
});

after(async () => {
  if (stack === undefined || cluster === undefined) return;
  cluster.thawKubelet(stack.node.name);
  await deleteAllEraserObjects(stack.custom);
  await stack.stop();
  await dropSchedule(stack.core);
  rmSync(work, { recursive: true, force: true });
});

async function containerState(s: OperatorStack, pod: string, container: string): Promise<string | undefined> {
  const cri = new GrpcCriClient(s.node.containerd.endpoint);
  try {
    return (await cri.listContainers()).find((c) => c.name === container && c.labels["io.kubernetes.pod.name"] === pod)?.state;
  } finally {
    cri.close();
  }
}


async function tags(s: OperatorStack): Promise<Set<string>> {
  const cri = new GrpcCriClient(s.node.containerd.endpoint);
  try {
    return new Set((await cri.listImages()).flatMap((i) => i.repoTags));
  } finally {
    cri.close();
  }
}

describe("a node lost while its worker pod runs", () => {
  test("the job counts it failed; when the kubelet is back, a NodeFinishedLate Event says what it removed", async (t) => {
    assert.ok(stack && cluster);
    const s = stack;
    const node = s.node.name;
    const started = Date.now();
    const job = await eventually("the automatic job to start", async () => (await listImageJobs(s.custom)).find((j) => j.status?.mode === "automatic" && j.status.phase === "Running"), 60_000);
    const name = job.metadata.name;
    const pod = await eventually("its pod to be reported running", async () => (await workerPods(s.core, name)).find((p) => p.status?.phase === "Running")?.metadata?.name, 60_000);
    cluster.freezeKubelet(node);
    const frozenAt = Date.now();
    let thawed = false;
    try {
      assert.equal(await containerState(s, pod, "trivy-scanner"), "running", "the scanner was still running when the kubelet stopped (the scan was too short to catch it)");
      t.diagnostic(`pod running ${frozenAt - started} ms after the job was seen; kubelet frozen`);
      // containerd runs the scan to its end without the kubelet.
      await eventually("the scan to end on the node", async () => ((await containerState(s, pod, "trivy-scanner")) === "exited" ? true : undefined), 120_000);
      t.diagnostic(`scanner exited ${Date.now() - frozenAt} ms after the freeze`);

      const ended = await eventually("the job to end", async () => {
        const j = (await listImageJobs(s.custom)).find((x) => x.metadata.name === name);
        return j?.status?.phase === "Completed" || j?.status?.phase === "Failed" ? j : undefined;
      }, (podTimeoutS + 120) * 1000);
      t.diagnostic(`job ended ${Date.now() - frozenAt} ms after the freeze`);
      assert.equal(ended.status?.phase, "Failed");
      assert.equal(ended.status?.removed, 0, "the job knew of no removal");
      assert.match(ended.status?.failedNodes?.[0]?.reason ?? "", new RegExp(`^worker pod ${pod} cannot finish: node ${node} has not been Ready \\(Unknown\\) since `));
      assert.equal((await nodeState(s.core, node)).ready, "Unknown");
      assert.equal(await containerState(s, pod, "remover"), "running", "the remover still waits for the node's pods' images");
      assert.ok((await tags(s)).has(vulnerable), "the lost node removed nothing: the pods bound to it are unknown");
      cluster.thawKubelet(node);
      thawed = true;

      const late = await eventually("a NodeFinishedLate Event", async () => {
        const events = await s.core.listNamespacedEvent({ namespace: "default", fieldSelector: `involvedObject.name=${name}` });
        return events.items.find((e: CoreV1Event) => e.reason === "NodeFinishedLate");
      }, 120_000);
      t.diagnostic(`NodeFinishedLate ${Date.now() - frozenAt} ms after the freeze`);
      const removerLog = (await cluster.kubectl(["logs", "-n", operatorNamespace, pod, "-c", "remover"])).stdout;
      assert.match(late.message ?? "", new RegExp(`^node ${node}: its worker pod finished after the job counted the node failed, removing 1 image\\(s\\) \\(\\d+ bytes\\); the job's totals do not include them$`), `remover:\n${removerLog}`);
      const after = (await listImageJobs(s.custom)).find((x) => x.metadata.name === name);
      assert.deepEqual([after?.status?.phase, after?.status?.removed, after?.status?.failed], ["Failed", 0, 1], "a reported result never changes");
      assert.equal((await workerPods(s.core, name))[0]?.status?.phase, "Succeeded", "the kubelet reported the pod once back");
      assert.ok(!(await tags(s)).has(vulnerable), "the vulnerable image went once the node was back");
    } finally {
      if (!thawed) cluster.thawKubelet(node);
    }
    await eventually("the node to be Ready again", async () => ((await nodeState(s.core, node)).ready === "True" ? true : undefined), 120_000);
  });
});
