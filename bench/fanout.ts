// npm run bench:fanout — one manual job over BENCH_NODES virtual nodes (default 1,000) on the real
// API server, from the ImageList to the job's pods cleaned up (BENCH_MODE=automatic: the schedule's
// job, with the lists after each scan, fanout-automatic.ts): how fast the manager creates worker
// pods against its client-side rate limit, and its memory, inside a memory cgroup with the
// Deployment's limit where the machine allows one (root and a writable cgroup tree).
// The nodes look like a managed cluster's (kubelet-like-node.ts: a 50-image status, ~10 KB of
// JSON each), and a simulated kubelet completes every pod with a remover's result, as real nodes do.
// The manager runs from dist/eraser-manager, as in its image (the script builds it first).
// Last line: {"nodes":..,"qps":..,"podsPerSecond":..,"jobS":..,"peakRssMiB":..,"cgroupPeakMiB":..,"memoryLimitMiB":..}
// (automatic mode adds "mode" and "listedS": from the first pod to the last pod's list set).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CoreV1Api } from "@kubernetes/client-node";
import { parseQuantity } from "../src/api/quantity.ts";
import { startCluster } from "../test/harness/cluster.ts";
import { completePod } from "../test/harness/kubelet-sim.ts";
import { kubeletLikeNode } from "../test/harness/kubelet-like-node.ts";
import { openMemoryCgroup } from "../test/harness/memory-cgroup.ts";
import { repoRoot } from "../test/harness/paths.ts";
import { operatorNamespace, prepareOperator, startManagerProcess, type ManagerProcess } from "../test/harness/manager-run.ts";
import { applyImageList, customApi, listImageJobs, nodeResult, setManagerConfig, workerPods } from "../test/harness/operator-fixtures.ts";
import { automaticConfig, runAutomaticPods } from "./fanout-automatic.ts";

const nodes = Number(process.env["BENCH_NODES"] ?? 1000);
const automatic = process.env["BENCH_MODE"] === "automatic";
const qps = Number(process.env["BENCH_QPS"] ?? 20);
/** --pod-creation-concurrency, the manager's default (32) unless BENCH_CONCURRENCY says otherwise. */
const concurrency = process.env["BENCH_CONCURRENCY"];
/** deploy/manager.yaml's limit, unless BENCH_MEMORY_LIMIT (a quantity, or "none") says otherwise. */
const memoryLimit = process.env["BENCH_MEMORY_LIMIT"] ?? "512Mi";
const mib = 1024 * 1024;

function peakRssMiB(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Polls `probe` every 250 ms, sampling the manager's peak RSS, and fails if the manager dies. */
async function until<T>(manager: ManagerProcess, peak: { miB: number }, probe: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    if (manager.child.exitCode !== null || manager.child.signalCode !== null) {
      throw new Error(`the manager died (exit ${manager.child.exitCode ?? manager.child.signalCode}); last lines:\n${manager.logs.slice(-5).join("\n")}`);
    }
    peak.miB = Math.max(peak.miB, peakRssMiB(manager.child.pid));
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Manual mode: waits for every pod, then completes them all as their kubelets would. */
async function manualPods(manager: ManagerProcess, peak: { miB: number }, core: CoreV1Api, job: string): Promise<{ createdS: number; listedS?: number }> {
  let firstPodAt = 0;
  const pods = await until(manager, peak, async () => {
    const found = await workerPods(core, job);
    if (found.length > 0 && firstPodAt === 0) firstPodAt = Date.now();
    return found.length >= nodes ? found : undefined;
  });
  const createdS = (Date.now() - firstPodAt) / 1000;
  console.log(`  ${nodes} pods in ${createdS.toFixed(1)} s after the first; completing them as their kubelets would`);
  const queue = pods.map((p) => p.metadata?.name ?? "");
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
        await completePod(core, operatorNamespace, name, { remover: { exitCode: 0, message: nodeResult(12, { kept: { "in-use": 31, sandbox: 1, excluded: 4 } }) } });
      }
    }),
  );
  return { createdS };
}

async function automaticPods(manager: ManagerProcess, peak: { miB: number }, core: CoreV1Api, job: string): Promise<{ createdS: number; listedS: number }> {
  const t = await runAutomaticPods(core, job, nodes, (probe) => until(manager, peak, probe));
  const createdS = (t.allCreatedAt - t.firstPodAt) / 1000;
  const listedS = (t.allListedAt - t.firstPodAt) / 1000;
  console.log(`  ${nodes} pods in ${createdS.toFixed(1)} s after the first; every list after the scan set ${listedS.toFixed(1)} s after the first pod`);
  return { createdS, listedS };
}

const cgroup = memoryLimit === "none" ? undefined : openMemoryCgroup("ets-bench-manager", parseQuantity(memoryLimit));
if (memoryLimit !== "none" && cgroup === undefined) console.log(`bench:fanout: no writable memory cgroup here; the manager runs without the ${memoryLimit} limit`);
const cluster = await startCluster({ nodes: 0 });
try {
  const core = cluster.kubeConfig().makeApiClient(CoreV1Api);
  const custom = customApi(cluster);
  await prepareOperator(cluster, core);
  console.log(`bench:fanout: creating ${nodes} kubelet-like virtual nodes`);
  const specs = Array.from({ length: nodes }, (_, i) => kubeletLikeNode(`aks-nodepool${(i % 3) + 1}-31415926-vmss${i.toString(36).padStart(6, "0")}`, i));
  await cluster.addVirtualNodes(specs);
  const nodeJsonKiB = JSON.stringify(await core.readNode({ name: specs[0]?.name ?? "" })).length / 1024;
  const manualConfig = "apiVersion: eraser.sh/v1alpha3\nkind: EraserConfig\ncomponents:\n  collector: { enabled: false }\n  scanner: { enabled: false }\n";
  await setManagerConfig(core, automatic ? automaticConfig : manualConfig);
  const manager = await startManagerProcess(cluster, [`--pod-creation-qps=${qps}`, `--pod-creation-burst=${qps}`, "--pod-timeout=1h", ...(concurrency === undefined ? [] : [`--pod-creation-concurrency=${concurrency}`])], {
    entry: join(repoRoot, "dist", "eraser-manager"),
    ...(cgroup === undefined ? {} : { launch: cgroup.launch }),
  });
  const peak = { miB: 0 };
  try {
    await manager.waitForLog(/Started leading/);
    const applied = Date.now();
    if (!automatic) await applyImageList(custom, "imagelist", ["docker.io/library/alpine:3.7.3"]);
    const job = await until(manager, peak, async () => (await listImageJobs(custom))[0]?.metadata.name);
    const { createdS, listedS } = automatic ? await automaticPods(manager, peak, core, job) : await manualPods(manager, peak, core, job);
    const phase = await until(manager, peak, async () => {
      const current = (await listImageJobs(custom)).find((j) => j.metadata.name === job);
      return current?.status?.phase === "Completed" || current?.status?.phase === "Failed" ? current.status.phase : undefined;
    });
    const jobS = (Date.now() - applied) / 1000;
    await until(manager, peak, async () => ((await workerPods(core, job)).length === 0 ? true : undefined));
    console.log(`  job ${phase} ${jobS.toFixed(1)} s after the ImageList; its pods are gone`);
    // The first `burst` pods come at once (the bucket starts full); the rest at the configured rate.
    const podsPerSecond = (nodes - qps) / createdS;
    const cgroupPeakMiB = cgroup === undefined ? null : Number((cgroup.peakBytes() / mib).toFixed(1));
    console.log(`  node objects: ${nodeJsonKiB.toFixed(1)} KiB of JSON each`);
    console.log(
      JSON.stringify({
        nodes,
        qps,
        ...(concurrency === undefined ? {} : { concurrency: Number(concurrency) }),
        ...(automatic ? { mode: "automatic", listedS: Number((listedS ?? 0).toFixed(1)) } : {}),
        podsPerSecond: Number(podsPerSecond.toFixed(2)),
        jobS: Number(jobS.toFixed(1)),
        peakRssMiB: Number(peak.miB.toFixed(1)),
        cgroupPeakMiB,
        memoryLimitMiB: cgroup === undefined ? null : cgroup.limitBytes / mib,
      }),
    );
  } catch (error) {
    if (cgroup?.oomKilled() === true) console.log(`bench:fanout: the kernel killed the manager at its ${memoryLimit} limit`);
    throw error;
  } finally {
    await manager.stop({ kill: true });
  }
} finally {
  await cluster.stop();
  cgroup?.remove();
}
