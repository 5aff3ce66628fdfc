// Scanning once per run (SPEC §3) on two real nodes, as a user runs it: the first node's pod scans
// with the real trivy and reports its verdicts; only then does the second node's pod start, and
// its trivy-scanner scans only the image the first node did not have. Both nodes lose the
// vulnerable image and keep the clean one.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { CoreV1Api, type V1Pod } from "@kubernetes/client-node";
import { GrpcCriClient } from "../../src/cri/grpc-client.ts";
import { buildImageLayout, cleanImage, importImages, sharedCluster, vulnerableAlpineImage, type BuiltImage, type RealNode, type TestCluster } from "../harness/index.ts";
import { eventually, operatorNamespace } from "../harness/manager-run.ts";
import { deleteAllEraserObjects, dropSchedule, listImageJobs, workerPods } from "../harness/operator-fixtures.ts";
import { startOperatorStack, type OperatorStack } from "../harness/operator-stack.ts";
import { prepareTrivyDb } from "../harness/trivy.ts";

const lib = (name: string): string => `docker.io/library/${name}`;
const vulnerable = lib("once-vulnerable:3.9");
const clean = lib("once-clean:1");
const onlySecond = lib("once-only-second:3.9");
const work = mkdtempSync("/tmp/ets-e2e-once-");
const trivyCache = join(work, "trivy-cache");
let cluster: TestCluster | undefined;
let stack: OperatorStack | undefined;
let firstNode: RealNode;
let secondNode: RealNode;
let onlySecondImage: BuiltImage;

before(async () => {
  cluster = await sharedCluster();
  prepareTrivyDb(trivyCache);
  // A first wave of one: two nodes hold the same shared images, so the choice by images ties and
  // goes to the first by name, the scout.
  const nodes = [...cluster.realNodes()].sort((a, b) => (a.name < b.name ? -1 : 1));
  assert.ok(nodes.length >= 2, "two real nodes");
  [firstNode, secondNode] = [nodes[0]!, nodes[1]!];
  // An image only the second node has: no first-wave verdict covers it.
  const tar = join(work, "only-second.tar");
  [onlySecondImage] = buildImageLayout([vulnerableAlpineImage(onlySecond)], tar) as [BuiltImage];
  await importImages(secondNode.containerd, tar);
  // An earlier test's schedule would hold this run back for its interval: start from none.
  await dropSchedule(cluster.kubeConfig().makeApiClient(CoreV1Api));
  stack = await startOperatorStack(cluster, work, [vulnerableAlpineImage(vulnerable), cleanImage(clean)], {
    scan: { scannerConfig: `cacheDir: ${trivyCache}\noffline: true\nscanOnce: { firstWaveNodes: 1 }` },
    everyRealNode: true,
  });
});

after(async () => {
  if (stack === undefined || cluster === undefined) return;
  await deleteAllEraserObjects(stack.custom);
  await stack.stop();
  await dropSchedule(stack.core);
  rmSync(work, { recursive: true, force: true });
});

async function tagsOn(node: RealNode): Promise<Set<string>> {
  const cri = new GrpcCriClient(node.containerd.endpoint);
  try {
    return new Set((await cri.listImages()).flatMap((i) => i.repoTags));
  } finally {
    cri.close();
  }
}

const scannerOf = (pod: V1Pod) => pod.spec?.containers.find((c) => c.name === "trivy-scanner");
const scannerFinished = (pod: V1Pod): Date | undefined => pod.status?.containerStatuses?.find((s) => s.name === "trivy-scanner")?.state?.terminated?.finishedAt;

describe("scan once per run on two real nodes", () => {
  test("the second node reuses the first node's trivy verdicts and scans only what the first did not have", async () => {
    assert.ok(stack && cluster);
    const job = await eventually(
      "the automatic ImageJob to finish",
      async () => (await listImageJobs(stack!.custom)).find((j) => j.status?.mode === "automatic" && (j.status.phase === "Completed" || j.status.phase === "Failed")),
      300_000,
    );
    const pods = await workerPods(stack.core, job.metadata.name);
    const podOn = (node: RealNode): V1Pod => {
      const pod = pods.find((p) => p.spec?.nodeName === node.name);
      assert.ok(pod, `a pod on ${node.name}`);
      return pod;
    };
    const [first, second] = [podOn(firstNode), podOn(secondNode)];
    const logs = async (pod: V1Pod, container: string): Promise<string> =>
      (await cluster?.kubectl(["logs", "-n", operatorNamespace, pod.metadata?.name ?? "", "-c", container]))?.stdout ?? "";
    const secondScanner = await logs(second, "trivy-scanner");
    assert.equal(job.status?.phase, "Completed", `job ${JSON.stringify(job.status)}\nfirst scanner:\n${await logs(first, "trivy-scanner")}\nsecond scanner:\n${secondScanner}`);
    assert.equal(job.status?.succeeded, 2);
    assert.ok((job.status?.scansReused ?? 0) >= 2, `the status counts the verdicts reused: ${JSON.stringify(job.status)}`);
    assert.ok((job.status?.scanned ?? 0) >= 3, `and the scans run (two or more on the first node, one on the second): ${JSON.stringify(job.status)}`);

    assert.ok(scannerOf(first)?.args?.includes("--share-verdicts"), "the first node shares");
    assert.ok(scannerOf(second)?.args?.includes("--verdicts=/run/eraser.sh/verdicts/verdicts.json"), "the second node reuses");
    const firstDone = scannerFinished(first);
    const secondCreated = second.metadata?.creationTimestamp;
    assert.ok(firstDone && secondCreated && new Date(secondCreated).getTime() >= new Date(firstDone).getTime(), `the second pod (${String(secondCreated)}) starts after the first scanner ended (${String(firstDone)})`);

    const lines = secondScanner.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);
    const finished = lines.find((l) => l["msg"] === "Scan finished");
    // The nodes may hold earlier tests' unused images too (both nodes have them, so they are reused).
    assert.equal(finished?.["scanned"], 1, `trivy ran on the second node only for the image the first did not have\n${secondScanner}`);
    assert.ok(Number(finished?.["reused"]) >= 2, `the two images both nodes hold were not scanned again\n${secondScanner}`);
    const reused = lines.find((l) => l["decision"] === "flagged" && l["ref"] === vulnerable);
    assert.equal(reused?.["scannedOn"], firstNode.name, "the vulnerable image's verdict came from the first node");
    assert.ok(lines.some((l) => l["decision"] === "flagged" && l["image"] === onlySecondImage.id && l["reasons"] !== undefined), "the image only it has, it scanned itself");

    for (const node of [firstNode, secondNode]) {
      const tags = await tagsOn(node);
      assert.ok(!tags.has(vulnerable), `${node.name}: the vulnerable image is removed`);
      assert.ok(tags.has(clean), `${node.name}: the clean image stays`);
    }
    assert.ok(!(await tagsOn(secondNode)).has(onlySecond), "the second node's own vulnerable image is removed");
  });
});
