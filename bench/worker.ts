// npm run bench:worker — removing 1,000 unused images on a real containerd, three ways, each on an
// identical fresh store (a removal costs more the bigger the store): one RemoveImage at a time
// (what Eraser's remover does), 64 in flight (the floor), and our remover binary.
// Last line: {"images":1000,"sequentialS":..,"floorS":..,"workerS":..,"ratio":..,"peakRssMiB":..,"coldStartMs":..}
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GrpcCriClient } from "../src/cri/grpc-client.ts";
import { importImages, startContainerd, type ContainerdInstance } from "../test/harness/containerd.ts";
import { buildImageLayout } from "../test/harness/oci/image.ts";
import { markerImage } from "../test/harness/oci/specs.ts";
import { ensureWorkerBuilt, workerBinary } from "../test/harness/worker-run.ts";

const count = Number(process.env["BENCH_IMAGES"] ?? 1000);
/** The Node flags the worker image runs with (deploy/worker-image: ENTRYPOINT). */
const workerNodeFlags = (process.env["WORKER_NODE_FLAGS"] ?? "--max-semi-space-size=1 --v8-pool-size=0 --lite-mode").split(" ").filter((f) => f !== "");
const concurrency = 64;
const work = mkdtempSync("/tmp/ets-bench-");
const tar = join(work, "images.tar");

async function freshStore(label: string): Promise<{ containerd: ContainerdInstance; ids: string[] }> {
  const containerd = await startContainerd({ name: `bench-${label}`, baseDir: join(work, label) });
  const started = Date.now();
  await importImages(containerd, tar);
  const cri = new GrpcCriClient(containerd.endpoint);
  const ids = (await cri.listImages()).filter((i) => i.repoTags.some((t) => t.includes("/bench-"))).map((i) => i.id);
  cri.close();
  if (ids.length !== count) throw new Error(`expected ${count} imported images, found ${ids.length}`);
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

function peakRssKiB(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

async function workerRun(): Promise<{ seconds: number; peakRssMiB: number; coldStartMs: number; removed: number }> {
  const { containerd } = await freshStore("worker");
  const list = join(work, "list.json");
  writeFileSync(list, JSON.stringify(["*"]));
  const termination = join(work, "termination-log");
  const args = [...workerNodeFlags, workerBinary, "remover", `--runtime-endpoint=${containerd.endpoint}`, `--imagelist=${list}`, `--concurrency=${concurrency}`, `--termination-log=${termination}`, "--log-level=info"];
  const spawnedAt = Date.now();
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  let peak = 0;
  const sampler = setInterval(() => {
    if (child.pid !== undefined) peak = Math.max(peak, peakRssKiB(child.pid));
  }, 5);
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
  clearInterval(sampler);
  const result = JSON.parse(readFileSync(termination, "utf8")) as { removed: number };
  if (code !== 0) throw new Error(`worker exited ${code}`);
  await containerd.stop();
  return { seconds, peakRssMiB: peak / 1024, coldStartMs: firstReplyAt - spawnedAt, removed: result.removed };
}

ensureWorkerBuilt();
try {
  console.log(`bench:worker: building ${count} images`);
  buildImageLayout(Array.from({ length: count }, (_, i) => markerImage(`docker.io/library/bench-${i}:1`)), tar);
  const sequentialS = await bareLoop("sequential", 1);
  console.log(`  one at a time: ${sequentialS.toFixed(2)} s`);
  const floorS = await bareLoop("floor", concurrency);
  console.log(`  ${concurrency} in flight: ${floorS.toFixed(2)} s`);
  const worker = await workerRun();
  console.log(`  eraser-worker remover --concurrency ${concurrency}: ${worker.seconds.toFixed(2)} s, removed ${worker.removed}`);
  const round = (n: number, d = 2): number => Number(n.toFixed(d));
  console.log(
    JSON.stringify({
      images: count,
      sequentialS: round(sequentialS),
      floorS: round(floorS),
      workerS: round(worker.seconds),
      ratio: round(worker.seconds / floorS),
      peakRssMiB: round(worker.peakRssMiB, 1),
      coldStartMs: worker.coldStartMs,
    }),
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
