// Worker pods the API server will not create. With Pod Security admission enforcing "baseline" on
// the operator's namespace (the real API server's admission plugin), a worker pod's hostPath
// volumes are forbidden: the job ends Failed at once with the API server's words for each node,
// instead of retrying every 2 s for ever with a PodCreateFailed Event each time. With a webhook
// that is down (failurePolicy Fail), creation is retried, but for --pod-timeout at most.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { AdmissionregistrationV1Api, PatchStrategy, setHeaderOptions, type CoreV1Api, type CustomObjectsApi } from "@kubernetes/client-node";
import type { TestCluster } from "../harness/index.ts";
import { eventually, operatorNamespace, startManagerProcess, type ManagerProcess } from "../harness/manager-run.ts";
import { applyImageList, deleteAllEraserObjects, listImageJobs, optOutRealNodes, prepareManagerTest, setManagerConfig, workerPods } from "../harness/operator-fixtures.ts";

let cluster: TestCluster;
let core: CoreV1Api;
let custom: CustomObjectsApi;
let manager: ManagerProcess | undefined;
const virtual = ["rp-a", "rp-b"];
const enforce = "pod-security.kubernetes.io/enforce";
const webhookName = "eraser-ts-test-down";
const podTimeoutS = 5;

const config = `apiVersion: eraser.sh/v1alpha3
kind: EraserConfig
manager:
  imageJob: { cleanup: { delayOnSuccess: 10m, delayOnFailure: 10m } }
components:
  collector: { enabled: false }
  scanner: { enabled: false }
  remover: { image: { repo: example.test/remover, tag: r1 } }
`;

async function labelNamespace(value: string | null): Promise<void> {
  await core.patchNamespace({ name: operatorNamespace, body: { metadata: { labels: { [enforce]: value } } } }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
}

before(async () => {
  ({ cluster, core, custom } = await prepareManagerTest(virtual.map((name) => ({ name }))));
  await setManagerConfig(core, config);
  await labelNamespace("baseline");
  manager = await startManagerProcess(cluster, [`--pod-timeout=${podTimeoutS}s`]);
  await manager.waitForLog(/Started leading/);
});

after(async () => {
  // node:test skips `before` when a name filter leaves no test here, but still runs `after`.
  if ((cluster as TestCluster | undefined) === undefined) return;
  await manager?.stop();
  await labelNamespace(null);
  await cluster.kubeConfig().makeApiClient(AdmissionregistrationV1Api).deleteValidatingWebhookConfiguration({ name: webhookName }).catch(() => undefined);
  await deleteAllEraserObjects(custom);
  for (const name of virtual) await cluster.deleteNode(name);
  await optOutRealNodes(cluster, false);
});

describe("worker pods the API server refuses", () => {
  test("each node fails with the API server's reason and the job ends, without retrying for ever", async () => {
    await applyImageList(custom, "imagelist", ["docker.io/library/alpine:3.7.3"]);
    const job = await eventually("the job to end", async () => (await listImageJobs(custom)).find((j) => j.status?.phase === "Completed" || j.status?.phase === "Failed"), 30_000);
    const s = job.status ?? {};
    assert.deepEqual({ phase: s.phase, succeeded: s.succeeded, failed: s.failed }, { phase: "Failed", succeeded: 0, failed: virtual.length });
    assert.deepEqual(s.failedNodes?.map((f) => f.node).sort(), virtual);
    for (const f of s.failedNodes ?? []) assert.match(f.reason, /^its worker pod could not be created: HTTP 403: pods "eraser-rp-.-\w+" is forbidden: violates PodSecurity "baseline:latest": .*hostPath volumes/, f.reason);
    assert.equal((await workerPods(core, job.metadata.name)).length, 0);
    await new Promise((r) => setTimeout(r, 3000)); // long enough for a retrying job to have retried
    const events = (await core.listNamespacedEvent({ namespace: "default", fieldSelector: `involvedObject.name=${job.metadata.name}` })).items;
    const reasons = events.map((e) => e.reason ?? "");
    assert.equal(reasons.filter((r) => r === "PodCreateFailed").length, 0, "a refusal is not retried");
    assert.equal(reasons.filter((r) => r === "NodeFailed").length, virtual.length, "one NodeFailed per node");
  });

  test("a webhook that is down is retried for --pod-timeout, then each node fails with its error, with one PodCreateFailed per node", async () => {
    await labelNamespace(null);
    const before = new Set((await listImageJobs(custom)).map((j) => j.metadata.name));
    // Fails closed and listens nowhere: the API server answers 500 "failed calling webhook".
    await cluster.kubeConfig().makeApiClient(AdmissionregistrationV1Api).createValidatingWebhookConfiguration({
      body: {
        metadata: { name: webhookName },
        webhooks: [
          {
            name: "down.eraser-ts.test",
            admissionReviewVersions: ["v1"],
            sideEffects: "None",
            failurePolicy: "Fail",
            timeoutSeconds: 2,
            clientConfig: { url: "https://127.0.0.1:1/validate" },
            rules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"] }],
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": operatorNamespace } },
            objectSelector: { matchExpressions: [{ key: "eraser.sh/job", operator: "Exists" }] },
          },
        ],
      },
    });
    await applyImageList(custom, "imagelist", ["docker.io/library/alpine:3.8"]);
    const job = await eventually("the job to end", async () => (await listImageJobs(custom)).find((j) => !before.has(j.metadata.name) && (j.status?.phase === "Completed" || j.status?.phase === "Failed")), 60_000);
    const s = job.status ?? {};
    assert.deepEqual({ phase: s.phase, failed: s.failed }, { phase: "Failed", failed: virtual.length });
    for (const f of s.failedNodes ?? []) assert.match(f.reason, /^its worker pod could not be created: HTTP 500: Internal error occurred: failed calling webhook "down\.eraser-ts\.test": .*\(pod creation failing for \d+ s\)$/, f.reason);
    await new Promise((r) => setTimeout(r, 1000)); // Events are recorded without waiting
    const reasons = (await core.listNamespacedEvent({ namespace: "default", fieldSelector: `involvedObject.name=${job.metadata.name}` })).items.map((e) => e.reason ?? "");
    assert.equal(reasons.filter((r) => r === "PodCreateFailed").length, virtual.length, "one PodCreateFailed per node, not one per retry");
  });
});
