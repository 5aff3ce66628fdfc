// The manager as an operator runs it: as its deploy/ ServiceAccount (least privilege), two
// replicas behind a Lease, killed mid-job and restarted, with its config changed under it.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { CoreV1Api, type CustomObjectsApi } from "@kubernetes/client-node";
import { completePod, repoRoot, sharedCluster, type TestCluster } from "../harness/index.ts";
import { eventually, operatorNamespace, prepareOperator, startManagerProcess, type ManagerLaunch, type ManagerProcess } from "../harness/manager-run.ts";
import { metricsByName, startOtlpSink } from "../harness/otlp-sink.ts";
import { freePort } from "../harness/process.ts";
import { applyImageList, customApi, deleteAllEraserObjects, listImageJobs, nodeResult, optOutRealNodes, setManagerConfig, workerPods } from "../harness/operator-fixtures.ts";

let cluster: TestCluster;
let core: CoreV1Api;
let custom: CustomObjectsApi;
const running: ManagerProcess[] = [];
const virtual = ["mo-a", "mo-b", "mo-c"];
const managerSa = `system:serviceaccount:${operatorNamespace}:eraser-controller-manager`;
const workerSa = `system:serviceaccount:${operatorNamespace}:eraser-imagejob-pods`;

const config = (removerTag: string, extra = ""): string => `apiVersion: eraser.sh/v1alpha3
kind: EraserConfig
manager:
  imageJob: { cleanup: { delayOnSuccess: 1h, delayOnFailure: 1h } }
${extra}components:
  collector: { enabled: false }
  scanner: { enabled: false }
  remover: { image: { repo: example.test/remover, tag: "${removerTag}" } }
`;

async function manager(args: string[] = [], launch: ManagerLaunch = {}): Promise<ManagerProcess> {
  const kubeconfig = cluster.impersonatedKubeconfigFile(managerSa);
  const m = await startManagerProcess(cluster, [`--kubeconfig=${kubeconfig}`, "--pod-timeout=2m", ...args], launch);
  running.push(m);
  return m;
}

async function runList(images: string[]): Promise<string> {
  const before = new Set((await listImageJobs(custom)).map((j) => j.metadata.name));
  await applyImageList(custom, "imagelist", images);
  return eventually("a new manual job", async () => (await listImageJobs(custom)).find((j) => !before.has(j.metadata.name))?.metadata.name);
}

async function podsFor(job: string, count: number) {
  return eventually(`${count} pods for ${job}`, async () => {
    const pods = await workerPods(core, job);
    return pods.length >= count ? pods : undefined;
  });
}

async function finish(job: string) {
  for (const p of await workerPods(core, job)) {
    if (p.status?.phase === undefined || p.status.phase === "Pending") await completePod(core, operatorNamespace, p.metadata!.name!, { remover: { exitCode: 0, message: nodeResult(1) } });
  }
  return eventually(`${job} to complete`, async () => {
    const j = (await listImageJobs(custom)).find((x) => x.metadata.name === job);
    return j?.status?.phase === "Completed" ? j : undefined;
  });
}

before(async () => {
  cluster = await sharedCluster();
  core = cluster.kubeConfig().makeApiClient(CoreV1Api);
  custom = customApi(cluster);
  await prepareOperator(cluster, core);
  const rbac = await cluster.kubectl(["apply", "-f", join(repoRoot, "deploy", "rbac.yaml")]);
  assert.equal(rbac.exitCode, 0, rbac.stderr);
  await optOutRealNodes(cluster, true);
  await cluster.addVirtualNodes(virtual.map((name) => ({ name })));
  await setManagerConfig(core, config("t1"));
});

after(async () => {
  // node:test skips `before` when a name filter leaves no test here, but still runs `after`.
  if ((cluster as TestCluster | undefined) === undefined) return;
  for (const m of running) await m.stop({ kill: true });
  await deleteAllEraserObjects(custom);
  for (const name of virtual) await cluster.deleteNode(name);
  await optOutRealNodes(cluster, false);
});

describe("RBAC from deploy/", () => {
  test("the worker ServiceAccount can do nothing; the manager's can do what it needs and no more", async () => {
    const can = async (as: string, ...args: string[]): Promise<boolean> => (await cluster.kubectl(["auth", "can-i", ...args, `--as=${as}`])).stdout.trim() === "yes";
    for (const verb of [["create", "pods", "-n", operatorNamespace], ["get", "nodes"], ["list", "imagelists.eraser.sh"], ["get", "configmaps", "-n", operatorNamespace]]) {
      assert.equal(await can(workerSa, ...verb), false, `worker may not ${verb.join(" ")}`);
    }
    assert.equal(await can(managerSa, "create", "pods", "-n", operatorNamespace), true);
    assert.equal(await can(managerSa, "list", "nodes"), true);
    assert.equal(await can(managerSa, "patch", "imagejobs.eraser.sh", "--subresource=status"), true);
    assert.equal(await can(managerSa, "create", "pods", "-n", "default"), false, "pods only in its namespace");
    assert.equal(await can(managerSa, "get", "secrets", "-n", operatorNamespace), false);
    assert.equal(await can(managerSa, "delete", "nodes"), false);
    assert.equal(await can(managerSa, "update", "imagelists.eraser.sh"), false, "it never edits a user's spec");
  });
});

describe("running the manager", () => {
  test("as its ServiceAccount, killed mid-job and restarted: no duplicate job, no orphan or extra pod, the job completes", async () => {
    const first = await manager();
    await first.waitForLog(/Started leading/);
    const job = await runList(["docker.io/library/alpine:1"]);
    const pods = await podsFor(job, 3);
    await first.stop({ kill: true });
    const second = await manager();
    await second.waitForLog(/Started leading/, 40_000);
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal((await listImageJobs(custom)).filter((j) => j.metadata.ownerReferences?.[0]?.name === "imagelist" && j.status?.phase !== "Completed").length, 1, "still one job");
    const after = await workerPods(core, job);
    assert.deepEqual(after.map((p) => p.metadata?.name).sort(), pods.map((p) => p.metadata?.name).sort(), "the same pods, no new ones");
    const done = await finish(job);
    assert.equal(done.status?.succeeded, 3);
    await second.stop();
  });

  test("two managers: exactly one acts; when the leader dies the other takes over and finishes the job", async () => {
    const a = await manager(["--identity=replica-a"]);
    await a.waitForLog(/Started leading/, 40_000);
    const b = await manager(["--identity=replica-b"]);
    await b.waitForLog(/Serving \/healthz/);
    const job = await runList(["docker.io/library/alpine:2"]);
    await podsFor(job, 3);
    assert.ok(!b.logs.some((l) => l.includes("Started leading")), "the standby does not act");
    assert.ok(!b.logs.some((l) => l.includes("Created worker pods")));
    await a.stop({ kill: true });
    await b.waitForLog(/Started leading/, 30_000);
    const done = await finish(job);
    assert.equal(done.status?.phase, "Completed");
    await b.stop();
  });

  test("a changed config applies to the next job without a restart; a broken one is refused with an Event and the old one keeps working", async () => {
    const m = await manager();
    await m.waitForLog(/Started leading/, 40_000);
    await setManagerConfig(core, config("t2"));
    await m.waitForLog(/Loaded changed manager config/);
    const job = await runList(["docker.io/library/alpine:3"]);
    const pods = await podsFor(job, 3);
    assert.ok(pods.every((p) => p.spec?.containers[0]?.image === "example.test/remover:t2"), "the new remover image is used");
    await finish(job);

    await setManagerConfig(core, config("t3", "  nodeFilter: { type: sometimes }\n"));
    const event = await eventually("an InvalidConfig event", async () => {
      const events = await core.listNamespacedEvent({ namespace: operatorNamespace, fieldSelector: "involvedObject.name=eraser-manager-config" });
      return events.items.find((e) => e.reason === "InvalidConfig");
    });
    assert.match(event.message ?? "", /kept the last good config: invalid EraserConfig field "manager\.nodeFilter\.type"/);
    const next = await runList(["docker.io/library/alpine:4"]);
    const nextPods = await podsFor(next, 3);
    assert.ok(nextPods.every((p) => p.spec?.containers[0]?.image === "example.test/remover:t2"), "the last good config still runs");
    await finish(next);
    await m.stop();
  });

  test("with manager.otlpEndpoint set, a job's metrics reach an OTLP receiver, pushed once more at shutdown", async () => {
    const work = mkdtempSync("/tmp/ets-otlp-");
    const sink = await startOtlpSink(work);
    try {
      await setManagerConfig(core, config("t1", `  otlpEndpoint: "${sink.endpoint}"\n`));
      // An hour between pushes, so only the push at shutdown can carry this job.
      const m = await manager([], { env: { OTEL_METRIC_EXPORT_INTERVAL: "3600000" } });
      await m.waitForLog(/Started leading/, 40_000);
      const job = await runList(["docker.io/library/alpine:5"]);
      await podsFor(job, 3);
      await finish(job);
      assert.equal(sink.exports().length, 0, "nothing is pushed before the interval");
      await m.stop();

      const sent = sink.exports();
      assert.equal(sent.length, 1, "one push, at shutdown");
      const [only] = sent;
      assert.ok(only !== undefined);
      assert.deepEqual(only.resourceMetrics[0]?.resource.attributes, [{ key: "service.name", value: { stringValue: "eraser-manager" } }]);
      const metrics = metricsByName(only);
      const total = (name: string): number | undefined => metrics.get(name)?.sum?.dataPoints.reduce((sum, p) => sum + (p.asDouble ?? 0), 0);
      assert.equal(total("images_removed_run_total"), 3, "one removed image per node, from the pods' results");
      assert.equal(total("pods_completed_run_total"), 3);
      assert.equal(total("pods_failed_run_total"), 0);
      assert.equal(metrics.get("images_removed_run_total")?.sum?.isMonotonic, true);
      const completed = metrics.get("imagejob_run_total")?.sum?.dataPoints.find((p) => p.attributes?.some((a) => a.key === "phase" && a.value.stringValue === "Completed"));
      assert.equal(completed?.asDouble, 1);
      assert.ok(completed?.attributes?.some((a) => a.key === "mode" && a.value.stringValue === "manual"));
      const duration = metrics.get("imagejob_duration_run_seconds")?.histogram?.dataPoints[0];
      assert.equal(duration?.count, "1");
      assert.equal(duration?.bucketCounts.length, (duration?.explicitBounds.length ?? 0) + 1, "one count per bucket, plus the overflow");
      assert.equal(duration?.bucketCounts.reduce((sum, n) => sum + Number(n), 0), 1);
    } finally {
      await sink.stop();
      await setManagerConfig(core, config("t1"));
      rmSync(work, { recursive: true, force: true });
    }
  });

  test("with manager.profile enabled, CPU and heap profiles are served on localhost at the configured port, and only while it runs", async () => {
    const port = await freePort();
    await setManagerConfig(core, config("t1", `  profile: { enabled: true, port: ${port} }\n`));
    try {
      const m = await manager();
      await m.waitForLog(/Serving the profiler on localhost/);
      const cpu = await fetch(`http://127.0.0.1:${port}/debug/pprof/profile?seconds=1`);
      assert.equal(cpu.status, 200);
      const profile = (await cpu.json()) as { nodes: unknown[]; samples: unknown[] };
      assert.ok(profile.nodes.length > 0 && profile.samples.length > 0, "a V8 CPU profile of the manager");
      const heap = (await (await fetch(`http://127.0.0.1:${port}/debug/pprof/heap`)).json()) as { head: { children: unknown[] } };
      assert.ok(heap.head.children.length > 0, "a sampled heap profile of the manager");
      await m.stop();
      await assert.rejects(fetch(`http://127.0.0.1:${port}/debug/pprof/`), "nothing listens once the manager has stopped");
    } finally {
      await setManagerConfig(core, config("t1"));
    }
  });

  test("manager.profile follows the ConfigMap without a restart: on, onto another port, off", async () => {
    await setManagerConfig(core, config("t1"));
    const m = await manager();
    await m.waitForLog(/Started leading/, 40_000);
    const logged = (pattern: RegExp): number => m.logs.filter((l) => pattern.test(l)).length;
    const serving = async (port: number): Promise<boolean> => (await fetch(`http://127.0.0.1:${port}/debug/pprof/`).catch(() => undefined))?.status === 200;
    const first = await freePort();
    let second = await freePort();
    while (second === first) second = await freePort();
    try {
      assert.equal(await serving(first), false, "off at start-up, as configured");
      await setManagerConfig(core, config("t1", `  profile: { enabled: true, port: ${first} }\n`));
      await eventually("the profiler to start", async () => ((await serving(first)) ? true : undefined), 20_000);
      const stops = logged(/Stopped the profiler/);
      await setManagerConfig(core, config("t1", `  profile: { enabled: true, port: ${second} }\n`));
      await eventually("the profiler to move", async () => ((await serving(second)) ? true : undefined), 20_000);
      assert.equal(await serving(first), false, "the old port is closed");
      assert.equal(logged(/Stopped the profiler/), stops + 1);
      await setManagerConfig(core, config("t1"));
      await eventually("the profiler to stop", async () => ((await serving(second)) ? undefined : true), 20_000);
    } finally {
      await m.stop();
      await setManagerConfig(core, config("t1"));
    }
  });

  test("a broken config at start-up stops the manager with the field named", async () => {
    await setManagerConfig(core, config("t1", "  profile: { port: lots }\n"));
    const m = await manager();
    assert.equal(await m.exit(), 1);
    assert.match(m.logs.join("\n"), /invalid EraserConfig field \\"manager\.profile\.port\\"/);
    await setManagerConfig(core, config("t1"));
  });
});
