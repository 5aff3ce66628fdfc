// The API server restarts mid-job: a control-plane upgrade, a managed control plane moved to
// another host. Every watch and request of the manager ends at once, its Lease cannot be renewed
// for as long as the API server is down, and its caches must list again. The job it was running
// must end as if nothing happened: no pod made twice, every node's result counted once, and the
// ImageList watched again. The real kube-apiserver is stopped and started on the same etcd.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { completePod, type TestCluster } from "../harness/index.ts";
import { eventually, operatorNamespace, startManagerProcess, type ManagerProcess } from "../harness/manager-run.ts";
import { applyImageList, deleteAllEraserObjects, listImageJobs, nodeResult, optOutRealNodes, prepareManagerTest, setManagerConfig, workerPods } from "../harness/operator-fixtures.ts";

let cluster: TestCluster;
let core: CoreV1Api;
let custom: CustomObjectsApi;
let manager: ManagerProcess | undefined;
const virtual = ["ar-a", "ar-b", "ar-c"];

const config = `apiVersion: eraser.sh/v1alpha3
kind: EraserConfig
manager:
  imageJob: { cleanup: { delayOnSuccess: 10m, delayOnFailure: 10m } }
components:
  collector: { enabled: false }
  scanner: { enabled: false }
  remover: { image: { repo: example.test/remover, tag: r1 } }
`;

before(async () => {
  ({ cluster, core, custom } = await prepareManagerTest(virtual.map((name) => ({ name }))));
  await setManagerConfig(core, config);
  manager = await startManagerProcess(cluster);
  await manager.waitForLog(/Started leading/);
});

after(async () => {
  // node:test skips `before` when a name filter leaves no test here, but still runs `after`.
  if ((cluster as TestCluster | undefined) === undefined) return;
  await manager?.stop();
  await deleteAllEraserObjects(custom);
  for (const name of virtual) await cluster.deleteNode(name);
  await optOutRealNodes(cluster, false);
});

async function newJob(known: ReadonlySet<string>): Promise<string> {
  return eventually("a new job", async () => (await listImageJobs(custom)).find((j) => !known.has(j.metadata.name))?.metadata.name);
}

async function complete(pod: string, removed: number): Promise<void> {
  await completePod(core, operatorNamespace, pod, { remover: { exitCode: 0, message: nodeResult(removed) } });
}

describe("the API server restarts while a job runs", () => {
  test("the job ends with each node counted once and no pod made twice, and the ImageList is watched again", async (t) => {
    assert.ok(manager);
    await applyImageList(custom, "imagelist", ["docker.io/library/alpine:3.7.3"]);
    const job = await newJob(new Set());
    const pods = await eventually("a pod on each node", async () => {
      const made = await workerPods(core, job);
      return made.length === virtual.length ? made : undefined;
    });
    const [first, ...rest] = pods.map((p) => p.metadata?.name ?? "");
    await complete(first ?? "", 1);

    const linesBefore = manager.logs.length;
    const stopped = Date.now();
    await cluster.restartApiServer();
    t.diagnostic(`API server down and back in ${Date.now() - stopped} ms`);
    for (const pod of rest) await complete(pod, 2);

    const done = await eventually("the job to complete", async () => {
      const found = (await listImageJobs(custom)).find((j) => j.metadata.name === job);
      return found?.status?.phase === "Completed" ? found : undefined;
    });
    const nodes = (await core.listNode()).items.length;
    assert.deepEqual(
      { desired: done.status?.desired, skipped: done.status?.skipped, succeeded: done.status?.succeeded, failed: done.status?.failed, removed: done.status?.removed },
      { desired: nodes, skipped: nodes - virtual.length, succeeded: virtual.length, failed: 0, removed: 1 + 2 * (virtual.length - 1) },
    );
    assert.deepEqual((await workerPods(core, job)).map((p) => p.metadata?.name).sort(), pods.map((p) => p.metadata?.name).sort(), "the same pods, none made again");
    const since = manager.logs.slice(linesBefore);
    const said = (msg: string): number => since.filter((l) => l.includes(`"msg":"${msg}"`)).length;
    t.diagnostic(`after the restart the manager logged: ${said("Watch failed; relisting")} relists, ${said("Stopped leading")} step-downs, ${said("Started leading")} starts of leading`);
    assert.ok(said("Watch failed; relisting") > 0, "the caches lost their watches and listed again");

    // The ImageList's watch is back: a new generation makes a new job.
    await applyImageList(custom, "imagelist", ["docker.io/library/alpine:3.8"]);
    const second = await newJob(new Set([job]));
    assert.notEqual(second, job);
    assert.equal((await fetch(`http://127.0.0.1:${manager.port}/readyz`)).status, 200);
  });
});
