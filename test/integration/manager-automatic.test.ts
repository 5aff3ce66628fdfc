// Automatic mode on the real API server: beginImmediately starts a job at start-up, the next one
// follows the interval from the last run's end, a restart in between starts no duplicate, and the
// pods carry collector, trivy-scanner and remover with their args, env and mounts.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { completePod, type TestCluster } from "../harness/index.ts";
import { eventually, operatorNamespace, startManagerProcess, type ManagerProcess } from "../harness/manager-run.ts";
import { deleteAllEraserObjects, listImageJobs, nodeResult, optOutRealNodes, prepareManagerTest, setManagerConfig, workerPods } from "../harness/operator-fixtures.ts";

let cluster: TestCluster;
let core: CoreV1Api;
let custom: CustomObjectsApi;
const running: ManagerProcess[] = [];
const virtual = ["ma-a", "ma-b"];

const config = `apiVersion: eraser.sh/v1alpha3
kind: EraserConfig
manager:
  scheduling: { repeatInterval: 8s, beginImmediately: true }
  imageJob: { cleanup: { delayOnSuccess: 0s, delayOnFailure: 0s } }
components:
  collector: { enabled: true, image: { repo: example.test/worker, tag: a1 } }
  scanner:
    enabled: true
    image: { repo: example.test/worker-trivy, tag: a1 }
    config: |
      cacheDir: /var/lib/eraser-trivy
      offline: true
  remover: { image: { repo: example.test/worker, tag: a1 } }
`;

const automaticJobs = async (): Promise<string[]> =>
  (await listImageJobs(custom)).filter((j) => j.metadata.labels?.["eraser.sh/job-owner"] === "schedule").map((j) => j.metadata.name).sort();

async function completeAll(job: string): Promise<void> {
  const pods = await eventually(`pods of ${job}`, async () => {
    const p = await workerPods(core, job);
    return p.length >= virtual.length ? p : undefined;
  });
  for (const pod of pods) {
    await completePod(core, operatorNamespace, pod.metadata!.name!, { collector: { exitCode: 0 }, "trivy-scanner": { exitCode: 0 }, remover: { exitCode: 0, message: nodeResult(1, { vulnerable: 1 }) } });
  }
}

before(async () => {
  ({ cluster, core, custom } = await prepareManagerTest(virtual.map((name) => ({ name }))));
  await core.deleteNamespacedConfigMap({ name: "eraser-schedule", namespace: operatorNamespace }).catch(() => undefined);
  await setManagerConfig(core, config);
});

after(async () => {
  // node:test skips `before` when a name filter leaves no test here, but still runs `after`.
  if ((cluster as TestCluster | undefined) === undefined) return;
  for (const m of running) await m.stop({ kill: true });
  await deleteAllEraserObjects(custom);
  await setManagerConfig(core, config.replace("enabled: true, image", "enabled: false, image"));
  for (const name of virtual) await cluster.deleteNode(name);
  await optOutRealNodes(cluster, false);
});

describe("automatic mode", () => {
  test("a job at start-up with collector, trivy-scanner and remover; the next after the interval; no duplicate across a restart", async () => {
    const first = await startManagerProcess(cluster);
    running.push(first);
    const [job] = await eventually("an automatic job at start-up", async () => {
      const jobs = await automaticJobs();
      return jobs.length > 0 ? jobs : undefined;
    });
    const pods = await eventually("its pods", async () => {
      const p = await workerPods(core, job!);
      return p.length === virtual.length ? p : undefined;
    });
    const spec = pods[0]!.spec!;
    assert.deepEqual(spec.containers.map((c) => c.name), ["collector", "trivy-scanner", "remover"]);
    assert.equal(pods[0]!.metadata?.labels?.["eraser.sh/type"], "collector");
    const [collector, scanner, remover] = spec.containers;
    assert.equal(collector?.image, "example.test/worker:a1");
    assert.equal(scanner?.image, "example.test/worker-trivy:a1");
    assert.ok(scanner?.args?.includes("--config=/config/controller_manager_config.yaml"));
    assert.ok(scanner?.env?.some((e) => e.name === "CONTAINERD_NAMESPACE" && e.value === "k8s.io"));
    assert.ok(scanner?.volumeMounts?.some((m) => m.mountPath === "/var/lib/eraser-trivy"), "the trivy cache from the scanner config");
    assert.equal(spec.volumes?.find((v) => v.name === "trivy-cache")?.hostPath?.path, "/var/lib/eraser-trivy");
    assert.equal(spec.volumes?.find((v) => v.name === "manager-config")?.configMap?.name, "eraser-manager-config");
    for (const c of [collector, scanner, remover]) assert.ok(c?.args?.includes("--shared-dir=/run/eraser.sh/shared-data"), `${c?.name} shares the emptyDir`);

    // Restart while the job runs: no second job appears.
    await first.stop({ kill: true });
    const second = await startManagerProcess(cluster);
    running.push(second);
    await second.waitForLog(/Started leading/, 40_000);
    await new Promise((r) => setTimeout(r, 2000));
    assert.deepEqual(await automaticJobs(), [job], "still exactly one automatic job");

    await completeAll(job!);
    const finishedAt = Date.now();
    const next = await eventually("the next automatic job", async () => (await automaticJobs()).find((j) => j !== job), 40_000);
    assert.ok(Date.now() - finishedAt >= 6000, "the next run waits about one interval after the last run ended");
    // The schedule lives in the cluster: the eraser-schedule ConfigMap names the next job. The
    // manager records it just after creating the job (a crash in between is safe: the job's name
    // comes from its scheduled time, so a restart cannot create a second one), so poll for it.
    await eventually("the schedule ConfigMap to record the next job", async () => {
      const state = await core.readNamespacedConfigMap({ name: "eraser-schedule", namespace: operatorNamespace });
      return state.data?.["lastJob"] === next ? next : undefined;
    }, 10_000);
  });
});
