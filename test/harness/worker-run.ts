// Runs the built worker binary (dist/eraser-worker) as a process against a node's runtime, the
// way a worker container would (with the image's Node flags: `--lite-mode` has no WebAssembly, so
// a test without them passed code that fails in the pod), and reads back its termination message
// and decision log lines.
import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { NodeResultSchema, type NodeResult } from "../../src/api/node-result.ts";
import { workerNodeFlags } from "../../src/worker/node-flags.ts";
import { repoRoot } from "./paths.ts";

export const workerBinary = join(repoRoot, "dist", "eraser-worker");

export function ensureWorkerBuilt(): void {
  if (!existsSync(workerBinary)) execFileSync(process.execPath, [join(repoRoot, "scripts", "build.ts")], { cwd: repoRoot, stdio: "inherit" });
}

export interface WorkerRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  result: NodeResult | undefined;
  /** Parsed JSON log lines. */
  logs: Record<string, unknown>[];
}

export function runWorker(args: string[], options: { terminationLog?: string; env?: Record<string, string> } = {}): Promise<WorkerRun> {
  // A termination log of our own lives in a directory of our own, removed once it has been read.
  const ownDir = options.terminationLog === undefined ? mkdtempSync("/tmp/ets-term-") : undefined;
  const terminationLog = options.terminationLog ?? join(ownDir ?? "", "termination-log");
  const full = [...workerNodeFlags, workerBinary, ...args, ...(args.includes("remover") ? [`--termination-log=${terminationLog}`] : [])];
  return new Promise((resolve) => {
    execFile(process.execPath, full, { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, ...options.env } }, (error, stdout, stderr) => {
      const exitCode = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
      const logs = `${stdout}\n${stderr}`
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      try {
        const result = existsSync(terminationLog) ? NodeResultSchema.parse(JSON.parse(readFileSync(terminationLog, "utf8"))) : undefined;
        resolve({ exitCode, stdout, stderr, result, logs });
      } finally {
        if (ownDir !== undefined) rmSync(ownDir, { recursive: true, force: true });
      }
    });
  });
}

/** Image IDs the worker logged with the given decision ("removed", "would-remove", "kept"...). */
export function imagesWithDecision(run: WorkerRun, decision: string): string[] {
  return run.logs.filter((l) => l["decision"] === decision).map((l) => String(l["image"])).sort();
}
