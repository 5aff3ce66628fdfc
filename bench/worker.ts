// npm run bench:worker — removing 1,000 unused images on a real containerd, three ways, each on an
// identical fresh store (a removal costs more the bigger the store): one RemoveImage at a time
// (what Eraser's remover does), 64 in flight (the floor), and our remover binary. The last two
// vary by +-10% from store to store on a 2-core machine, so they run BENCH_ROUNDS times (default
// 3), alternating (which goes first flips every round), and the figures are medians (peak RSS:
// the highest).
// BENCH_CONTAINERD=2 runs it on containerd 2 instead of Debian's 1.6 (or 1.7, 2.0 ... 2.3: an
// earlier release the test ground builds).
// Last line: {"images":1000,"sequentialS":..,"floorS":..,"workerS":..,"ratio":..,"peakRssMiB":..,"coldStartMs":..,"rounds":..,"containerd":..}
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GrpcCriClient } from "../src/cri/grpc-client.ts";
import { containerdReleases, importImages, startContainerd, type ContainerdInstance, type ContainerdRelease } from "../test/harness/containerd.ts";
import { buildImageLayout } from "../test/harness/oci/image.ts";
import { markerImage } from "../test/harness/oci/specs.ts";
import { ensureWorkerBuilt, workerBinary } from "../test/harness/worker-run.ts";
import { workerNodeFlags } from "../src/worker/node-flags.ts";
import { cpuMs, samplePeakRss } from "./process-stats.ts";

const count = Number(process.env["BENCH_IMAGES"] ?? 1000);
/** The worker image's Node flags, unless WORKER_NODE_FLAGS overrides them for an experiment. */
const nodeFlags = process.env["WORKER_NODE_FLAGS"]?.split(" ").filter((f) => f !== "") ?? workerNodeFlags;
const concurrency = 64;
const rounds = Number(process.env["BENCH_ROUNDS"] ?? 3);
/** Which containerd: Debian's 1.6 (the figures), 2 (the current major release) or an earlier one. */
const release = containerdRelease(process.env["BENCH_CONTAINERD"] ?? "1.6");

function containerdRelease(value: string): ContainerdRelease {
  const release = containerdReleases.find((r) => r === value);
  if (release === undefined) throw new Error(`BENCH_CONTAINERD must be one of ${containerdReleases.join(", ")}, not "${value}"`);
  return release;
}
const work = mkdtempSync("/tmp/ets-bench-");
const tar = join(work, "images.tar");

/**
 * Waits until containerd has digested its import (below 5% of a core over half a second, for 10 s
 * at most): containerd 2's CRI learns of imported images after the import returns and works for
 * ~1 s more, and the side timed first would pay for it.
 */
async function settled(pid: number): Promise<void> {
  for (let tries = 0; tries < 20; tries++) {
    const before = cpuMs(pid);
    await new Promise((resolve) => setTimeout(resolve, 500));
    if (cpuMs(pid) - before <= 25) return;
  }
}

async function freshStore(label: string): Promise<{ containerd: ContainerdInstance; ids: string[] }> {
  const containerd = await startContainerd({ name: `bench-${label}`, baseDir: join(work, label), release });
  const started = Date.now();
  await importImages(containerd, tar);
  const cri = new GrpcCriClient(containerd.endpoint);
  const benchIds = async (): Promise<string[]> => (await cri.listImages()).filter((i) => i.repoTags.some((t) => t.includes("/bench-"))).map((i) => i.id);
  // containerd 2's CRI learns of imported images from events, after the import has returned.
  let ids = await benchIds();
  for (let waited = 0; ids.length < count && waited < 60_000; waited += 200) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    ids = await benchIds();
  }
  cri.close();
  if (ids.length !== count) throw new Error(`expected ${count} imported images, found ${ids.length}`);
  await settled(containerd.pid);
  console.log(`  ${label}: fresh store with ${ids.length} images imported in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { containerd, ids };
}

async function bareLoop(label: string, inFlight: number): Promise<number> {
  const { containerd, ids } = await freshStore(label);
  const cri = new GrpcCriClient(containerd.endpoint);
  const queue = [...ids];
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) await cri.removeImage(id);
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  cri.close();
  await containerd.stop();
  return seconds;
}

interface WorkerRun {
  seconds: number;
  peakRssMiB: number;
  coldStartMs: number;
  removed: number;
}

async function workerRun(label: string): Promise<WorkerRun> {
  const { containerd } = await freshStore(label);
  const list = join(work, "list.json");
  writeFileSync(list, JSON.stringify(["*"]));
  const termination = join(work, "termination-log");
  const args = [...nodeFlags, workerBinary, "remover", `--runtime-endpoint=${containerd.endpoint}`, `--imagelist=${list}`, `--concurrency=${concurrency}`, `--termination-log=${termination}`, "--log-level=info"];
  const spawnedAt = Date.now();
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  const peak = samplePeakRss(child.pid);
  let firstReplyAt = 0;
  let buffered = "";
  child.stdout.on("data", (chunk: Buffer) => {
    buffered += chunk.toString();
    if (firstReplyAt === 0) {
      const line = buffered.split("\n").find((l) => l.includes("Connected to container runtime"));
      if (line !== undefined) firstReplyAt = Date.parse((JSON.parse(line) as { time: string }).time);
    }
    if (buffered.length > 1_000_000) buffered = buffered.slice(-10_000);
  });
  const code = await new Promise<number>((resolve) => child.on("exit", (c) => { resolve(c ?? 1); }));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const peakRssMiB = peak.stop();
  const result = JSON.parse(readFileSync(termination, "utf8")) as { removed: number };
  if (code !== 0) throw new Error(`worker exited ${code}`);
  await containerd.stop();
  return { seconds, peakRssMiB, coldStartMs: firstReplyAt - spawnedAt, removed: result.removed };
}

ensureWorkerBuilt();
try {
  console.log(`bench:worker: building ${count} images`);
  buildImageLayout(Array.from({ length: count }, (_, i) => markerImage(`docker.io/library/bench-${i}:1`)), tar);
  const sequentialS = await bareLoop("sequential", 1);
  console.log(`  one at a time: ${sequentialS.toFixed(2)} s`);
  const floors: number[] = [];
  const workers: WorkerRun[] = [];
  const floorRound = async (round: number): Promise<void> => {
    floors.push(await bareLoop(`floor-${round}`, concurrency));
    console.log(`  ${concurrency} in flight: ${floors.at(-1)?.toFixed(2)} s`);
  };
  const workerRound = async (round: number): Promise<void> => {
    const worker = await workerRun(`worker-${round}`);
    workers.push(worker);
    console.log(`  eraser-worker remover --concurrency ${concurrency}: ${worker.seconds.toFixed(2)} s, removed ${worker.removed}, peak ${worker.peakRssMiB.toFixed(1)} MiB, cold start ${worker.coldStartMs} ms`);
  };
  // The order flips every round: this machine's disk slows as a run goes on (imports went from
  // 16 s to 28 s over one run), and whichever side always ran second would pay for it.
  for (let round = 1; round <= rounds; round++) {
    const order = round % 2 === 1 ? [floorRound, workerRound] : [workerRound, floorRound];
    for (const side of order) await side(round);
  }
  const median = (values: number[]): number => {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
  };
  const floorS = median(floors);
  const workerS = median(workers.map((w) => w.seconds));
  const round = (n: number, d = 2): number => Number(n.toFixed(d));
  console.log(
    JSON.stringify({
      images: count,
      sequentialS: round(sequentialS),
      floorS: round(floorS),
      workerS: round(workerS),
      ratio: round(workerS / floorS),
      peakRssMiB: round(Math.max(...workers.map((w) => w.peakRssMiB)), 1),
      coldStartMs: median(workers.map((w) => w.coldStartMs)),
      rounds,
      containerd: release,
    }),
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
