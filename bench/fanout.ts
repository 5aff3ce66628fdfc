// npm run bench:fanout — one job over 1,000 virtual nodes on the real API server: how fast the
// manager creates worker pods against its configured client-side rate limit, and its memory.
// Last line: {"nodes":1000,"qps":<budget>,"podsPerSecond":<achieved>,"peakRssMiB":<manager>}
import { readFileSync } from "node:fs";
import { CoreV1Api } from "@kubernetes/client-node";
import { startCluster } from "../test/harness/cluster.ts";
import { prepareOperator, startManagerProcess } from "../test/harness/manager-run.ts";
import { applyImageList, customApi, listImageJobs, setManagerConfig, workerPods } from "../test/harness/operator-fixtures.ts";

const nodes = Number(process.env["BENCH_NODES"] ?? 1000);
const qps = Number(process.env["BENCH_QPS"] ?? 20);

function peakRssMiB(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) / 1024 : 0;
}

const cluster = await startCluster({ nodes: 0 });
try {
  const core = cluster.kubeConfig().makeApiClient(CoreV1Api);
  const custom = customApi(cluster);
  await prepareOperator(cluster, core);
  console.log(`bench:fanout: creating ${nodes} virtual nodes`);
  await cluster.addVirtualNodes(Array.from({ length: nodes }, (_, i) => ({ name: `fan-${String(i).padStart(4, "0")}` })));
  await setManagerConfig(core, "apiVersion: eraser.sh/v1alpha3\nkind: EraserConfig\ncomponents:\n  collector: { enabled: false }\n  scanner: { enabled: false }\n");
  const manager = await startManagerProcess(cluster, [`--pod-creation-qps=${qps}`, `--pod-creation-burst=${qps}`, "--pod-timeout=1h"]);
  await manager.waitForLog(/Started leading/);
  await applyImageList(custom, "imagelist", ["docker.io/library/alpine:3.7.3"]);
  let job: string | undefined;
  while (job === undefined) {
    job = (await listImageJobs(custom))[0]?.metadata.name;
    await new Promise((r) => setTimeout(r, 100));
  }
  let firstPodAt = 0;
  let count = 0;
  let peak = 0;
  while (count < nodes) {
    count = (await workerPods(core, job)).length;
    if (count > 0 && firstPodAt === 0) firstPodAt = Date.now();
    if (manager.child.pid !== undefined) peak = Math.max(peak, peakRssMiB(manager.child.pid));
    await new Promise((r) => setTimeout(r, 250));
  }
  const seconds = (Date.now() - firstPodAt) / 1000;
  peak = Math.max(peak, manager.child.pid === undefined ? 0 : peakRssMiB(manager.child.pid));
  await manager.stop({ kill: true });
  // The first `burst` pods come at once (the bucket starts full); the rest at the configured rate.
  const podsPerSecond = (nodes - qps) / seconds;
  console.log(`  ${nodes} pods in ${seconds.toFixed(1)} s after the first`);
  console.log(JSON.stringify({ nodes, qps, podsPerSecond: Number(podsPerSecond.toFixed(2)), peakRssMiB: Number(peak.toFixed(1)) }));
} finally {
  await cluster.stop();
}
