// A cluster that swaps Eraser's images for ours and keeps Eraser's own CRDs (SPEC: "keeps its
// CRDs"): their status schema has only Eraser's fields, all required, so the API server drops
// every field eraser-ts adds. An ImageList still runs once per change, not again. And a job
// Eraser's manager left Running when it went neither holds the cleaner for ever nor is run as
// something it is not.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { PatchStrategy, setHeaderOptions, type CoreV1Api, type CustomObjectsApi, type V1PodTemplate } from "@kubernetes/client-node";
import { completePod, repoRoot, startPod, type TestCluster } from "../harness/index.ts";
import { eventually, startManagerProcess, operatorNamespace, type ManagerProcess } from "../harness/manager-run.ts";
import { applyImageList, deleteAllEraserObjects, getImageList, listImageJobs, nodeResult, optOutRealNodes, prepareManagerTest, setManagerConfig, workerPods } from "../harness/operator-fixtures.ts";

let cluster: TestCluster;
let core: CoreV1Api;
let custom: CustomObjectsApi;
let manager: ManagerProcess | undefined;
const nodes = ["ec-a", "ec-b"];
const crdNames = ["crd/imagelists.eraser.sh", "crd/imagejobs.eraser.sh"];

async function useCrds(file: string): Promise<void> {
  await cluster.kubectl(["delete", ...crdNames, "--ignore-not-found", "--wait=true"]);
  const created = await cluster.kubectl(["create", "-f", file]);
  assert.equal(created.exitCode, 0, created.stderr);
  const established = await cluster.kubectl(["wait", "--for=condition=Established", "--timeout=60s", ...crdNames]);
  assert.equal(established.exitCode, 0, established.stderr);
}

before(async () => {
  ({ cluster, core, custom } = await prepareManagerTest(nodes.map((name) => ({ name }))));
  await deleteAllEraserObjects(custom);
  await useCrds(join(repoRoot, "test", "fixtures", "eraser-v1-crds.yaml"));
  await setManagerConfig(core, "apiVersion: eraser.sh/v1alpha3\nkind: EraserConfig\ncomponents:\n  collector: { enabled: false }\n  scanner: { enabled: false }\n");
});

after(async () => {
  if ((cluster as TestCluster | undefined) === undefined) return;
  await manager?.stop({ kill: true });
  await deleteAllEraserObjects(custom);
  await core.deleteCollectionNamespacedPod({ namespace: operatorNamespace, labelSelector: "eraser.sh/type,!eraser.sh/job", gracePeriodSeconds: 0 });
  await core.deleteCollectionNamespacedPodTemplate({ namespace: operatorNamespace });
  // Back to this project's CRDs for the files that follow (created fresh: an apply over Eraser's
  // would keep its required status fields).
  await useCrds(join(repoRoot, "crds"));
  for (const name of nodes) await cluster.deleteNode(name);
  await optOutRealNodes(cluster, false);
});

async function finishJob(): Promise<string> {
  const job = await eventually("a job", async () => (await listImageJobs(custom)).find((j) => j.status?.phase === "Running"), 60_000);
  const name = job.metadata.name;
  const pods = await eventually("a pod on each node", async () => {
    const found = await workerPods(core, name);
    return found.length === nodes.length ? found : undefined;
  });
  for (const pod of pods) await completePod(core, operatorNamespace, pod.metadata?.name ?? "", { remover: { exitCode: 0, message: nodeResult(1) } });
  return name;
}

describe("with Eraser's own CRDs", () => {
  test("an ImageList runs once, and neither its job's cleanup nor a restart runs it again", async () => {
    manager = await startManagerProcess(cluster);
    await manager.waitForLog(/Started leading/, 40_000);
    await applyImageList(custom, "imagelist", ["docker.io/library/busybox:eraser-crds"]);
    const first = await finishJob();
    // delayOnSuccess is 0s: the job goes as it ends.
    await eventually("the job to end and go", async () => ((await listImageJobs(custom)).some((j) => j.metadata.name === first) ? undefined : true), 30_000);
    const list = await getImageList(custom, "imagelist");
    assert.equal(list.status?.success, nodes.length, "the list's status has the job's result");
    assert.equal(list.status?.observedGeneration, undefined, "Eraser's CRD drops the field eraser-ts adds");
    const dropped = (await core.listNamespacedEvent({ namespace: "default", fieldSelector: "reason=StatusFieldsDropped" })).items.map((e) => `${e.involvedObject.kind ?? ""}: ${e.message ?? ""}`);
    assert.ok(dropped.some((m) => m.startsWith("ImageJob: the installed ImageJob CRD drops status fields eraser-ts writes (startTime, mode, dryRun)")), dropped.join("\n"));
    await new Promise((r) => setTimeout(r, 10_000));
    assert.deepEqual((await listImageJobs(custom)).map((j) => j.metadata.name), [], "no second job after the first one went");
    await manager.stop();
    manager = await startManagerProcess(cluster);
    await manager.waitForLog(/Started leading/, 40_000);
    await new Promise((r) => setTimeout(r, 10_000));
    assert.deepEqual((await listImageJobs(custom)).map((j) => j.metadata.name), [], "no job after a restart");

    // A change still runs, once.
    await applyImageList(custom, "imagelist", ["docker.io/library/busybox:eraser-crds-2"]);
    const second = await finishJob();
    assert.match(second, /-g2$/, "the job is the changed list's");
    // The first record met an empty status, which Eraser's CRD refuses; this one is dropped.
    const droppedOnList = (await core.listNamespacedEvent({ namespace: "default", fieldSelector: "reason=StatusFieldsDropped,involvedObject.kind=ImageList" })).items.map((e) => e.message ?? "");
    assert.ok(droppedOnList.some((m) => m.startsWith("the installed ImageList CRD drops status fields eraser-ts writes (observedGeneration, message)")), droppedOnList.join("\n"));
    await eventually("the second job to end and go", async () => ((await listImageJobs(custom)).length === 0 ? true : undefined), 30_000);
  });

  test("a list no runtime accepts gets its Event, once, and no job", async () => {
    await deleteAllEraserObjects(custom);
    await applyImageList(custom, "imagelist", ["docker.io/library/BusyBox:1.0"]);
    const event = await eventually("an InvalidImageList Event", async () => {
      const events = await core.listNamespacedEvent({ namespace: "default", fieldSelector: "involvedObject.name=imagelist,reason=InvalidImageList" });
      return events.items.find((e) => e.message?.includes("BusyBox") === true);
    }, 20_000);
    assert.match(event.message ?? "", /not run, nothing removed: .*lowercase/);
    await new Promise((r) => setTimeout(r, 3_000));
    assert.deepEqual((await listImageJobs(custom)).map((j) => j.metadata.name), []);
    assert.equal(manager?.logs.filter((l) => l.includes('"msg":"Reconcile failed; retrying"') && l.includes("imagelist")).length, 0, "no reconcile failed on the status Eraser's CRD refuses");
  });

  test("a manager that loses the lead and leads again reads what the other leader ran", async () => {
    await manager?.stop();
    await deleteAllEraserObjects(custom);
    const first = await startManagerProcess(cluster);
    manager = first;
    await first.waitForLog(/Started leading/, 40_000);
    await applyImageList(custom, "imagelist", ["docker.io/library/busybox:lead-1"]);
    await finishJob();
    await eventually("the first job to go", async () => ((await listImageJobs(custom)).length === 0 ? true : undefined), 30_000);
    // Frozen past its lease (4 s here): another manager leads and runs the list's next generation.
    first.child.kill("SIGSTOP");
    const second = await startManagerProcess(cluster);
    try {
      await second.waitForLog(/Started leading/, 40_000);
      await applyImageList(custom, "imagelist", ["docker.io/library/busybox:lead-2"]);
      assert.match(await finishJob(), /-g2$/);
      await eventually("the second job to go", async () => ((await listImageJobs(custom)).length === 0 ? true : undefined), 30_000);
    } finally {
      await second.stop({ kill: true });
      first.child.kill("SIGCONT");
    }
    const leads = (): number => first.logs.filter((l) => l.includes('"msg":"Started leading"')).length;
    await eventually("the first manager to lead again", () => Promise.resolve(leads() === 2 ? true : undefined), 40_000);
    await new Promise((r) => setTimeout(r, 5_000));
    assert.deepEqual((await listImageJobs(custom)).map((j) => j.metadata.name), [], "generation 2 ran once, under the other leader");
  });

  test("a record of runs someone broke runs nothing, and the log names it", async () => {
    await manager?.stop();
    await core.replaceNamespacedConfigMap({ name: "eraser-imagelist-runs", namespace: operatorNamespace, body: { metadata: { name: "eraser-imagelist-runs" }, data: { uid: "x", generation: "two" } } });
    manager = await startManagerProcess(cluster);
    await manager.waitForLog(/Started leading/, 40_000);
    await manager.waitForLog(/eraser-imagelist-runs is not a record of ImageList runs/, 20_000);
    await new Promise((r) => setTimeout(r, 5_000));
    assert.deepEqual((await listImageJobs(custom)).map((j) => j.metadata.name), [], "no job while the record cannot be read");
  });
});

/** An ImageJob as Eraser's manager leaves one: no label or annotation of ours, no `<job>-nodes`. */
async function eraserJob(name: string, owner: { name: string; uid: string }, status?: object): Promise<void> {
  const ownerReferences = [{ apiVersion: "eraser.sh/v1", kind: "ImageList", name: owner.name, uid: owner.uid, controller: true, blockOwnerDeletion: true }];
  await custom.createClusterCustomObject({ group: "eraser.sh", version: "v1", plural: "imagejobs", body: { apiVersion: "eraser.sh/v1", kind: "ImageJob", metadata: { name, ownerReferences } } });
  if (status !== undefined) await custom.patchClusterCustomObjectStatus({ group: "eraser.sh", version: "v1", plural: "imagejobs", name, body: { status } }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
}

/** A worker pod as Eraser makes one: its type label, owned by the PodTemplate named after its job. */
async function eraserPod(job: string, template: V1PodTemplate, node: string): Promise<string> {
  const ownerReferences = [{ apiVersion: "v1", kind: "PodTemplate", name: job, uid: template.metadata?.uid ?? "", controller: true }];
  const pod = await core.createNamespacedPod({
    namespace: operatorNamespace,
    body: { metadata: { generateName: `eraser-${node}-`, labels: { "eraser.sh/type": "manual" }, ownerReferences }, spec: { nodeName: node, restartPolicy: "Never", containers: [{ name: "remover", image: "ghcr.io/eraser-dev/remover:v1.4.0" }] } },
  });
  return pod.metadata?.name ?? "";
}

const jobStatus = async (name: string) => (await listImageJobs(custom)).find((j) => j.metadata.name === name)?.status;
const eventReasons = async (job: string): Promise<string[]> => (await core.listNamespacedEvent({ namespace: "default", fieldSelector: `involvedObject.name=${job}` })).items.map((e) => e.reason ?? "");

describe("a job Eraser's manager left behind", () => {
  test("holds the next job while its pods run, then ends by what they show, and the list runs", async () => {
    await manager?.stop();
    await deleteAllEraserObjects(custom);
    await core.deleteNamespacedConfigMap({ name: "eraser-imagelist-runs", namespace: operatorNamespace }).catch(() => undefined);
    const job = "imagejob-left-by-eraser";
    await applyImageList(custom, "imagelist", ["docker.io/library/busybox:left-by-eraser"]);
    const list = await getImageList(custom, "imagelist");
    await eraserJob(job, { name: "imagelist", uid: list.metadata.uid ?? "" }, { phase: "Running", desired: nodes.length, succeeded: 0, failed: 0, skipped: 0 });
    const template = await core.createNamespacedPodTemplate({ namespace: operatorNamespace, body: { metadata: { name: job }, template: { spec: { containers: [{ name: "remover", image: "ghcr.io/eraser-dev/remover:v1.4.0" }] } } } });
    const done = await eraserPod(job, template, "ec-a");
    await completePod(core, operatorNamespace, done, { remover: { exitCode: 0 } });
    const running = await eraserPod(job, template, "ec-b");
    await startPod(core, operatorNamespace, running);

    manager = await startManagerProcess(cluster);
    await manager.waitForLog(/waiting for its worker pods to finish/, 40_000);
    await new Promise((r) => setTimeout(r, 3_000));
    assert.equal((await jobStatus(job))?.phase, "Running", "the job waits for the pod still running");
    assert.deepEqual((await listImageJobs(custom)).map((j) => j.metadata.name), [job], "no job of ours beside it");

    await completePod(core, operatorNamespace, running, { remover: { exitCode: 1 } });
    const ended = await eventually("the job to end", async () => {
      const s = await jobStatus(job);
      return s?.phase === "Running" ? undefined : s;
    }, 30_000);
    assert.deepEqual({ phase: ended?.phase, succeeded: ended?.succeeded, failed: ended?.failed }, { phase: "Failed", succeeded: 1, failed: 1 });
    assert.ok((await eventReasons(job)).includes("ForeignJobEnded"));
    const afterwards = await getImageList(custom, "imagelist");
    assert.deepEqual({ success: afterwards.status?.success, failed: afterwards.status?.failed }, { success: 1, failed: 1 }, "the list's status has what Eraser's job did");
    // That job did not clean every node, so the list runs, now as this manager's job.
    const ours = await finishJob();
    assert.notEqual(ours, job);
  });

  test("one Eraser made for a list but never started is ended, not run as an automatic job", async () => {
    await manager?.stop();
    await deleteAllEraserObjects(custom);
    await applyImageList(custom, "imagelist", ["docker.io/library/busybox:never-started"]);
    const list = await getImageList(custom, "imagelist");
    // The list itself has run: only the job is under test.
    await core.deleteNamespacedConfigMap({ name: "eraser-imagelist-runs", namespace: operatorNamespace }).catch(() => undefined);
    await core.createNamespacedConfigMap({ namespace: operatorNamespace, body: { metadata: { name: "eraser-imagelist-runs" }, data: { uid: list.metadata.uid ?? "", generation: "1" } } });
    const job = "imagejob-never-started";
    await eraserJob(job, { name: "imagelist", uid: list.metadata.uid ?? "" });

    manager = await startManagerProcess(cluster);
    await manager.waitForLog(/Started leading/, 40_000);
    const ended = await eventually("the job to end", async () => {
      const s = await jobStatus(job);
      return s?.phase === undefined ? undefined : s;
    }, 30_000);
    assert.equal(ended?.phase, "Failed");
    assert.deepEqual(await workerPods(core, job), [], "no worker pod for it");
    assert.ok((await eventReasons(job)).includes("ForeignJobEnded"));
  });

  test("a list it ran before the swap is not run again; a change to it runs", async () => {
    await manager?.stop();
    await deleteAllEraserObjects(custom);
    await core.deleteNamespacedConfigMap({ name: "eraser-imagelist-runs", namespace: operatorNamespace }).catch(() => undefined);
    await applyImageList(custom, "imagelist", ["docker.io/library/busybox:ran-by-eraser"]);
    // What Eraser writes when the list's job ends; its job is then deleted (delayOnSuccess 0s).
    const ranAt = "2026-11-20T10:00:00Z";
    await custom.patchClusterCustomObjectStatus({ group: "eraser.sh", version: "v1", plural: "imagelists", name: "imagelist", body: { status: { timestamp: ranAt, success: 2, failed: 0, skipped: 0 } } }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));

    manager = await startManagerProcess(cluster);
    await manager.waitForLog(/Started leading/, 40_000);
    await new Promise((r) => setTimeout(r, 5_000));
    assert.deepEqual((await listImageJobs(custom)).map((j) => j.metadata.name), [], "not run again");
    await eventually("a RunByAnotherManager Event", async () => ((await eventReasons("imagelist")).includes("RunByAnotherManager") ? true : undefined), 10_000);
    await applyImageList(custom, "imagelist", ["docker.io/library/busybox:ran-by-eraser-2"]);
    assert.match(await finishJob(), /-g2$/);
  });
});
