// Automatic mode, as a user runs it: the manager starts a job at once (beginImmediately), with a
// real worker pod of three containers on a real kubelet — collector, trivy-scanner (the real trivy,
// offline DB) and remover — that removes the vulnerable image and keeps the clean one and the one
// a running container uses. An image holding a Java archive, with no Java DB to judge it, stays and
// is counted unjudged in the job's status. A vulnerable image that a pod on the node still waits for
// (its init container running) is never a candidate, and stays (ADR 0019); so does one that a pod
// bound to the node during the scan waits for, which the remover learns of from the manager once
// the scan has ended (ADR 0023; trivy is held mid-scan for it).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { GrpcCriClient } from "../../src/cri/grpc-client.ts";
import { busyboxImage, cleanImage, jarImage, sharedCluster, vulnerableAlpineImage, type TestCluster } from "../harness/index.ts";
import { eventually, operatorNamespace } from "../harness/manager-run.ts";
import { deleteAllEraserObjects, listImageJobs, workerPods } from "../harness/operator-fixtures.ts";
import { startOperatorStack, type OperatorStack } from "../harness/operator-stack.ts";
import { runPod, waitForPod } from "../harness/pods.ts";
import { prepareTrivyDb } from "../harness/trivy.ts";
import { holdScans, releaseScans } from "../harness/oci/held-trivy.ts";

const lib = (name: string): string => `docker.io/library/${name}`;
const vulnerable = lib("auto-vulnerable:3.9");
const clean = lib("auto-clean:1");
const runningVulnerable = lib("auto-running:1");
const java = lib("auto-java:1");
const awaitedVulnerable = lib("auto-awaited:3.9");
const lateVulnerable = lib("auto-late:3.9");
const appNamespace = "e2e-auto-app";
const work = mkdtempSync("/tmp/ets-e2e-auto-");
const trivyCache = join(work, "trivy-cache");
let cluster: TestCluster | undefined;
let stack: OperatorStack | undefined;
let cri: GrpcCriClient | undefined;

before(async () => {
  cluster = await sharedCluster();
  prepareTrivyDb(trivyCache);
  // Every scan waits until the first test has bound a pod to the node mid-scan.
  holdScans(trivyCache);
  // The running app's image must never go, scanned or not: it runs busybox.
  const images = [vulnerableAlpineImage(vulnerable), cleanImage(clean), busyboxImage(runningVulnerable), jarImage(java), vulnerableAlpineImage(awaitedVulnerable), vulnerableAlpineImage(lateVulnerable)];
  stack = await startOperatorStack(cluster, work, images, {
    scan: { scannerConfig: `cacheDir: ${trivyCache}\noffline: true`, held: true },
    // Bound before the job starts, so the manager lists it when it makes the node's worker pod.
    beforeManager: async (core) => {
      await core.createNamespace({ body: { metadata: { name: appNamespace } } }).catch(() => undefined);
      await core.createNamespacedPod({
        namespace: appNamespace,
        body: {
          metadata: { name: "waiting" },
          spec: {
            nodeName: cluster?.realNodes()[0]?.name ?? "",
            restartPolicy: "Never",
            automountServiceAccountToken: false,
            terminationGracePeriodSeconds: 0,
            initContainers: [{ name: "wait", image: runningVulnerable, imagePullPolicy: "Never", command: ["/bin/sleep", "3600"] }],
            containers: [{ name: "app", image: awaitedVulnerable, imagePullPolicy: "Never" }],
          },
        },
      });
    },
  });
  cri = new GrpcCriClient(stack.node.containerd.endpoint);
  await runPod(stack.core, { namespace: appNamespace, name: "app", node: stack.node.name, image: runningVulnerable, command: ["/bin/sleep", "3600"] });
  await waitForPod(stack.core, appNamespace, "app", (_phase, running) => running);
});

after(async () => {
  if (stack === undefined || cluster === undefined) return;
  await deleteAllEraserObjects(stack.custom);
  await stack.core.deleteNamespace({ name: appNamespace }).catch(() => undefined);
  releaseScans(trivyCache);
  cri?.close();
  // Removes what this file added to the node, the scanner image with the held trivy among them.
  await stack.stop();
  rmSync(work, { recursive: true, force: true });
});

/** The container of `pod` named `name`, as the kubelet last reported it. */
async function containerState(namespace: string, pod: string, name: string): Promise<{ running: boolean; exitCode: number | undefined }> {
  const status = (await stack?.core.readNamespacedPod({ name: pod, namespace }))?.status;
  const state = [...(status?.initContainerStatuses ?? []), ...(status?.containerStatuses ?? [])].find((c) => c.name === name)?.state;
  return { running: state?.running !== undefined, exitCode: state?.terminated?.exitCode };
}

describe("automatic mode on a real node", () => {
  test("a pod bound to the node during the scan, waiting on its init container, keeps the vulnerable image it needs (ADR 0023)", async () => {
    assert.ok(stack && cluster);
    const core = stack.core;
    const running = await eventually(
      "the worker pod's collector to end and its trivy-scanner to run (held)",
      async () => {
        const job = (await listImageJobs(stack?.custom ?? assert.fail())).find((j) => j.status?.mode === "automatic");
        const [pod] = job === undefined ? [] : await workerPods(core, job.metadata.name);
        const name = pod?.metadata?.name ?? "";
        if (name === "" || (await containerState(operatorNamespace, name, "collector")).exitCode !== 0) return undefined;
        return (await containerState(operatorNamespace, name, "trivy-scanner")).running ? pod : undefined;
      },
      120_000,
    );
    assert.ok(!(running.spec?.containers.find((c) => c.name === "remover")?.args ?? []).includes(`--pod-image=${lateVulnerable}`), "the pod is bound after the worker pod was made");
    await core.createNamespacedPod({
      namespace: appNamespace,
      body: {
        metadata: { name: "late" },
        spec: {
          nodeName: stack.node.name,
          restartPolicy: "Never",
          automountServiceAccountToken: false,
          terminationGracePeriodSeconds: 0,
          initContainers: [{ name: "wait", image: runningVulnerable, imagePullPolicy: "Never", command: ["/bin/sleep", "3600"] }],
          containers: [{ name: "app", image: lateVulnerable, imagePullPolicy: "Never" }],
        },
      },
    });
    await eventually("the late pod's init container to run", async () => ((await containerState(appNamespace, "late", "wait")).running ? true : undefined), 60_000);
    releaseScans(trivyCache);
    const job = await eventually("the job to finish", async () => (await listImageJobs(stack?.custom ?? assert.fail())).find((j) => j.status?.mode === "automatic" && j.status.phase !== "Running"), 240_000);
    const pod = running.metadata?.name ?? "";
    const removerLog = (await cluster.kubectl(["logs", "-n", operatorNamespace, pod, "-c", "remover"])).stdout;
    assert.ok(new Set((await cri?.listImages())?.flatMap((i) => i.repoTags)).has(lateVulnerable), `the image the late pod waits for is still on the node (job ${job.status?.phase})\nremover:\n${removerLog}`);
    assert.match(removerLog, /"tags":\["docker\.io\/library\/auto-late:3\.9"\],"decision":"kept","reason":"awaited"/, "the remover kept it, and says why");
    const annotated = (await core.readNamespacedPod({ name: pod, namespace: operatorNamespace })).metadata?.annotations?.["eraser.sh/pod-images-after-scan"] ?? "[]";
    assert.ok((JSON.parse(annotated) as string[]).includes(lateVulnerable), `the manager listed it after the scan: ${annotated}`);
  });

  test("the first scheduled job scans with trivy and removes the vulnerable image only", async () => {
    assert.ok(stack && cri && cluster);
    const custom = stack.custom;
    const job = await eventually(
      "an automatic ImageJob to finish",
      async () => (await listImageJobs(custom)).find((j) => j.status?.mode === "automatic" && (j.status.phase === "Completed" || j.status.phase === "Failed")),
      240_000,
    );
    const pods = await workerPods(stack.core, job.metadata.name);
    assert.equal(pods.length, 1, "one worker pod, on the one selected node");
    const pod = pods[0]?.metadata?.name ?? "";
    assert.deepEqual(pods[0]?.spec?.containers.map((c) => c.name), ["collector", "trivy-scanner", "remover"]);
    const logs = async (container: string): Promise<string> => (await cluster?.kubectl(["logs", "-n", operatorNamespace, pod, "-c", container]))?.stdout ?? "";
    const scannerLog = await logs("trivy-scanner");
    assert.equal(job.status?.phase, "Completed", `job ${job.metadata.name}: ${JSON.stringify(job.status)}\ntrivy-scanner:\n${scannerLog}\nremover:\n${await logs("remover")}`);
    assert.ok((job.status?.vulnerable ?? 0) >= 1, "the status counts the vulnerable image the scanner found");

    const tags = new Set((await cri.listImages()).flatMap((i) => i.repoTags));
    assert.ok(!tags.has(vulnerable), `the vulnerable Alpine 3.9 image is removed\ntrivy-scanner:\n${scannerLog}`);
    assert.ok(tags.has(clean), "the clean image stays");
    assert.ok(tags.has(runningVulnerable), "the running app's image stays");
    assert.ok(tags.has(awaitedVulnerable), "the vulnerable image a waiting pod names stays");
    assert.match(await logs("collector"), /"tags":\["docker\.io\/library\/auto-awaited:3\.9"\],"decision":"kept","reason":"awaited"/, "the collector keeps it out of the candidates, and says why");
    assert.match(scannerLog, /auto-vulnerable/, "the scanner's log names the image it flagged");

    assert.ok(tags.has(java), "the Java image stays: offline, with no Java DB, trivy cannot judge it");
    assert.match(scannerLog, /"ref":"docker\.io\/library\/auto-java:1".*"decision":"kept","reason":"java-db-unavailable: /);
    assert.ok((job.status?.unjudged ?? 0) >= 1, `the status counts it: ${JSON.stringify(job.status)}`);
    const wide = (await cluster.kubectl(["get", "imagejob", job.metadata.name, "-o", "wide"])).stdout;
    assert.match(wide, /VULNERABLE\s+UNJUDGED/, `kubectl get -o wide shows the counts:\n${wide}`);
  });
});
