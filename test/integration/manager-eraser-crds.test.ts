// A cluster that swaps Eraser's images for ours and keeps Eraser's own CRDs (SPEC: "keeps its
// CRDs"): their status schema has only Eraser's fields, all required, so the API server drops
// every field eraser-ts adds. An ImageList still runs once per change, not again.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import type { CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { completePod, repoRoot, type TestCluster } from "../harness/index.ts";
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
    await eventually("the second job to end and go", async () => ((await listImageJobs(custom)).length === 0 ? true : undefined), 30_000);
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
