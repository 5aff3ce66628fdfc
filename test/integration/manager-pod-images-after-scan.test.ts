// The images a node's pods name, listed again when its scan has ended (ADR 0023), on the real API
// server: a pod bound to a node during its scan is not in the worker pod's --pod-image list, so once
// the collector and the scanner have ended the manager sets the node's pods' images as an annotation
// on the worker pod, which the kubelet gives the remover. Not while the scanner runs, and not after
// it failed (that remover removes nothing). A list the API server refuses (over the 256 KB that a
// pod's annotations may hold) is not retried, and a Warning Event says which node will remove
// nothing.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { CoreV1Api, CoreV1Event, CustomObjectsApi, V1Pod } from "@kubernetes/client-node";
import { completePod, startPod, type TestCluster } from "../harness/index.ts";
import { eventually, operatorNamespace, startManagerProcess, type ManagerProcess } from "../harness/manager-run.ts";
import { deleteAllEraserObjects, listImageJobs, nodeResult, optOutRealNodes, prepareManagerTest, setManagerConfig, workerPods } from "../harness/operator-fixtures.ts";

let cluster: TestCluster;
let core: CoreV1Api;
let custom: CustomObjectsApi;
let manager: ManagerProcess | undefined;
const virtual = ["as-a", "as-b", "as-c"];
const appNamespace = "as-app";
const annotation = "eraser.sh/pod-images-after-scan";

const config = `apiVersion: eraser.sh/v1alpha3
kind: EraserConfig
manager:
  scheduling: { repeatInterval: 720h, beginImmediately: true }
  imageJob: { cleanup: { delayOnSuccess: 1s, delayOnFailure: 1s } }
components:
  collector: { enabled: true, image: { repo: example.test/worker, tag: as1 } }
  scanner:
    enabled: true
    image: { repo: example.test/worker-trivy, tag: as1 }
    config: |
      cacheDir: /var/lib/eraser-trivy
      offline: true
  remover: { image: { repo: example.test/worker, tag: as1 } }
`;

before(async () => {
  ({ cluster, core, custom } = await prepareManagerTest(virtual.map((name) => ({ name }))));
  await core.deleteNamespacedConfigMap({ name: "eraser-schedule", namespace: operatorNamespace }).catch(() => undefined);
  await setManagerConfig(core, config);
  await core.createNamespace({ body: { metadata: { name: appNamespace } } });
  await core.createNamespacedPod({ namespace: appNamespace, body: { metadata: { name: "early" }, spec: { nodeName: "as-a", containers: [{ name: "main", image: "registry.example/early:1" }] } } });
  // 300 KB of image names on as-c: more than a pod's annotations may hold.
  for (const i of [1, 2, 3]) {
    const image = `registry.example/${"long".repeat(25_000)}:${i}`;
    await core.createNamespacedPod({ namespace: appNamespace, body: { metadata: { name: `long-${i}` }, spec: { nodeName: "as-c", containers: [{ name: "main", image }] } } });
  }
  manager = await startManagerProcess(cluster);
  await manager.waitForLog(/Started leading/);
});

after(async () => {
  if ((cluster as TestCluster | undefined) === undefined) return;
  await manager?.stop();
  await deleteAllEraserObjects(custom);
  await setManagerConfig(core, config.replace("enabled: true, image", "enabled: false, image").replace("beginImmediately: true", "beginImmediately: false"));
  await core.deleteNamespace({ name: appNamespace, gracePeriodSeconds: 0 }).catch(() => undefined);
  for (const name of virtual) await cluster.deleteNode(name);
  await optOutRealNodes(cluster, false);
});

let workerPodOf: ((node: string) => V1Pod) | undefined;
const annotationOf = async (pod: V1Pod): Promise<string | undefined> =>
  (await core.readNamespacedPod({ name: pod.metadata?.name ?? "", namespace: operatorNamespace })).metadata?.annotations?.[annotation];

describe("the images after the scan", () => {
  test("a pod bound during the scan reaches the remover once the scanner has ended well, and not before", async () => {
    const job = await eventually("the automatic job", async () => (await listImageJobs(custom)).find((j) => j.status?.mode === "automatic"));
    const pods = await eventually("3 worker pods", async () => {
      const listed = await workerPods(core, job.metadata.name);
      return listed.length === virtual.length ? listed : undefined;
    });
    const onNode = (node: string): V1Pod => pods.find((p) => p.spec?.nodeName === node) ?? assert.fail(`no worker pod on ${node}`);
    workerPodOf = onNode;
    const [a, b] = [onNode("as-a"), onNode("as-b")];
    const remover = a.spec?.containers.find((c) => c.name === "remover");
    assert.deepEqual(remover?.args?.filter((x) => x.startsWith("--pod-image")), ["--pod-image=registry.example/early:1", "--pod-images-file=/run/eraser.sh/pod-info/pod-images"]);

    // Bound during the scan, waiting on its init container: no kubelet runs as-a, so it stays Pending.
    await core.createNamespacedPod({
      namespace: appNamespace,
      body: { metadata: { name: "late" }, spec: { nodeName: "as-a", initContainers: [{ name: "migrate", image: "registry.example/migrate:9" }], containers: [{ name: "main", image: "registry.example/late:1" }] } },
    });
    await startPod(core, operatorNamespace, a.metadata?.name ?? "", { collector: { exitCode: 0 } });
    await startPod(core, operatorNamespace, b.metadata?.name ?? "", { collector: { exitCode: 0 }, "trivy-scanner": { exitCode: 1 } });
    // The manager has seen both (each status change is a pass); give it time to act wrongly.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    assert.equal(await annotationOf(a), undefined, "not while the scanner runs");
    assert.equal(await annotationOf(b), undefined, "not after the scanner failed");

    await startPod(core, operatorNamespace, a.metadata?.name ?? "", { collector: { exitCode: 0 }, "trivy-scanner": { exitCode: 0 } });
    const set = await eventually("the images after the scan on as-a's worker pod", () => annotationOf(a), 15_000);
    // The worker pod is one of the node's pods now: its own images, kept anyway (--self-image).
    const images = ["example.test/worker-trivy:as1", "example.test/worker:as1", "registry.example/early:1", "registry.example/late:1", "registry.example/migrate:9"];
    assert.deepEqual(JSON.parse(set), images);
    assert.equal(await annotationOf(b), undefined);
  });

  test("a list the API server refuses is not retried, and a Warning Event names the node that will remove nothing", async () => {
    const job = await eventually("the automatic job", async () => (await listImageJobs(custom)).find((j) => j.status?.mode === "automatic"));
    const c = workerPodOf?.("as-c") ?? assert.fail("the first test found the worker pods");
    await startPod(core, operatorNamespace, c.metadata?.name ?? "", { collector: { exitCode: 0 }, "trivy-scanner": { exitCode: 0 } });
    const refusedEvents = async (): Promise<CoreV1Event[]> =>
      (await core.listNamespacedEvent({ namespace: "default", fieldSelector: `involvedObject.name=${job.metadata.name}` })).items.filter((e) => e.reason === "PodImagesRefused");
    const event = await eventually("a PodImagesRefused Event", async () => (await refusedEvents())[0], 15_000);
    assert.equal(event.type, "Warning");
    assert.match(event.message ?? "", /^1 node\(s\) will remove nothing: the API server refused the list of the images their pods name after the scan \(ADR 0023\): .*(Too long|too long).*; nodes: as-c$/);
    // A retry would come within 2 s.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    assert.equal(await annotationOf(c), undefined);
    assert.equal((await refusedEvents()).length, 1, "once: a refusal is not retried");

    for (const node of ["as-a", "as-b"]) await completePod(core, operatorNamespace, workerPodOf?.(node).metadata?.name ?? "", { remover: { exitCode: 0, message: nodeResult(0) } });
    await completePod(core, operatorNamespace, c.metadata?.name ?? "", { remover: { exitCode: 1 } });
    const ended = await eventually("the job to end", async () => (await listImageJobs(custom)).find((j) => j.metadata.name === job.metadata.name && j.status?.phase !== undefined && j.status.phase !== "Running"));
    assert.deepEqual([ended.status?.phase, ended.status?.failedNodes?.map((f) => f.node)], ["Failed", ["as-c"]]);
  });
});
