// npm run bench:inventory — what the containers on a node cost the worker before it removes
// anything. Since ADR 0021 the inventory asks each container's status once (its image mounts), 8
// calls at a time, so a node with many containers (exited ones count: the kubelet keeps the last
// of each) pays one call per container at every worker start. This runs `eraser-worker remover
// --dry-run` with `["*"]` on a real containerd holding BENCH_IMAGES unused images and, in turn,
// each count of exited containers in BENCH_CONTAINER_COUNTS, BENCH_ROUNDS times each, and reports
// the medians of the worker's own time from its first CRI reply to its last line (its Node start
// is the same for every count, and bench:worker times it).
// A dry run removes nothing, so every round sees the same store.
// BENCH_LIST=<n> lists every image of the store among n other references (a registry-wide
// ImageList, ADR 0025) instead of `["*"]`, to time matching a large list.
// BENCH_CONTAINERD picks the release, as in bench:worker.
// Last line: {"images":..,"containers":[..],"inventoryMs":[..],"peakRssMiB":[..],"perContainerMs":..,"rounds":..,"containerd":..}
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GrpcCriClient } from "../src/cri/grpc-client.ts";
import { workerNodeFlags } from "../src/worker/node-flags.ts";
import { containerdReleases, importImages, startContainerd, type ContainerdRelease } from "../test/harness/containerd.ts";
import { runContainer, runPodSandbox } from "../test/harness/cri-sandbox.ts";
import { buildImageLayout } from "../test/harness/oci/image.ts";
import { busyboxImage, markerImage } from "../test/harness/oci/specs.ts";
import { waitFor } from "../test/harness/process.ts";
import { manyTeamsImages } from "../test/harness/large-lists.ts";
import { ensureWorkerBuilt, workerBinary } from "../test/harness/worker-run.ts";
import { samplePeakRss } from "./process-stats.ts";

const images = Number(process.env["BENCH_IMAGES"] ?? 200);
const counts = (process.env["BENCH_CONTAINER_COUNTS"] ?? "0,100,300").split(",").map(Number);
const rounds = Number(process.env["BENCH_ROUNDS"] ?? 5);
const listed = process.env["BENCH_LIST"] === undefined ? undefined : Number(process.env["BENCH_LIST"]);
const release = pickRelease(process.env["BENCH_CONTAINERD"] ?? "1.6");
const appImage = "docker.io/library/inventory-app:1";
/** Containers made at once: the kubelet starts a node's pods a few at a time too. */
const creating = 8;

function pickRelease(value: string): ContainerdRelease {
  const found = containerdReleases.find((r) => r === value);
  if (found === undefined) throw new Error(`BENCH_CONTAINERD must be one of ${containerdReleases.join(", ")}, not "${value}"`);
  return found;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

/** One dry run; the ms from the worker's "Connected" line to its last line, and what it decided. */
async function dryRun(endpoint: string, list: string, termination: string): Promise<{ ms: number; peakRssMiB: number }> {
  const args = [...workerNodeFlags, workerBinary, "remover", `--runtime-endpoint=${endpoint}`, `--imagelist=${list}`, "--dry-run", `--termination-log=${termination}`];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  const peak = samplePeakRss(child.pid);
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number>((resolve) => child.on("exit", (c) => { resolve(c ?? 1); }));
  const peakRssMiB = peak.stop();
  if (code !== 0) throw new Error(`the worker exited ${code}`);
  const lines = output.trim().split("\n").map((l) => JSON.parse(l) as { time: string; msg: string });
  const connected = lines.find((l) => l.msg === "Connected to container runtime");
  const last = lines.at(-1);
  if (connected === undefined || last === undefined) throw new Error("the worker's log has no Connected line");
  return { ms: Date.parse(last.time) - Date.parse(connected.time), peakRssMiB };
}

ensureWorkerBuilt();
const work = mkdtempSync("/tmp/ets-bench-inventory-");
const containerd = await startContainerd({ name: "bench-inventory", baseDir: join(work, "ctd"), release });
const cri = new GrpcCriClient(containerd.endpoint);
try {
  const tar = join(work, "images.tar");
  const stored = Array.from({ length: images }, (_, i) => `docker.io/library/inventory-${i}:1`);
  buildImageLayout([busyboxImage(appImage), ...stored.map((ref) => markerImage(ref))], tar);
  await importImages(containerd, tar);
  const list = join(work, "list.json");
  writeFileSync(list, JSON.stringify(listed === undefined ? ["*"] : [...manyTeamsImages(listed), ...stored]));
  const sandboxName = "inventory";
  const sandboxId = await runPodSandbox(containerd.endpoint, sandboxName);
  let made = 0;
  const medians: number[] = [];
  const peaks: number[] = [];
  for (const count of counts) {
    const first = made;
    made = count;
    const names = Array.from({ length: Math.max(0, count - first) }, (_, i) => `app-${first + i}`);
    for (let start = 0; start < names.length; start += creating) {
      await Promise.all(names.slice(start, start + creating).map((name) => runContainer(containerd.endpoint, { sandboxId, sandboxName, name, image: appImage, command: ["/bin/echo", "done"] })));
    }
    await waitFor(`${count} exited containers`, async () => (await cri.listContainers()).filter((c) => c.state === "exited").length >= count, { timeoutMs: 120_000 });
    const runs: { ms: number; peakRssMiB: number }[] = [];
    for (let round = 0; round < rounds; round++) runs.push(await dryRun(containerd.endpoint, list, join(work, "termination-log")));
    const times = runs.map((r) => r.ms);
    medians.push(median(times));
    peaks.push(Number(Math.max(...runs.map((r) => r.peakRssMiB)).toFixed(1)));
    console.log(`  ${count} exited containers: first CRI reply to last line ${times.join(" / ")} ms, median ${median(times)} ms; peak ${peaks.at(-1)} MiB`);
  }
  const spanContainers = (counts.at(-1) ?? 0) - (counts[0] ?? 0);
  const perContainerMs = spanContainers > 0 ? ((medians.at(-1) ?? 0) - (medians[0] ?? 0)) / spanContainers : 0;
  console.log(JSON.stringify({ images, ...(listed === undefined ? {} : { listed: listed + images }), containers: counts, inventoryMs: medians, peakRssMiB: peaks, perContainerMs: Number(perContainerMs.toFixed(3)), rounds, containerd: release }));
} finally {
  cri.close();
  await containerd.stop();
  rmSync(work, { recursive: true, force: true });
}
