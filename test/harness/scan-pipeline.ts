// The worker's three containers on one runtime, as a worker pod runs them against the real trivy:
// collector -> trivy-scanner -> remover, handing off through a shared directory.
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { trivyBinary } from "./trivy.ts";
import { runWorker } from "./worker-run.ts";

/** Writes an EraserConfig whose scanner config is `scannerConfig` (YAML), as the manager mounts it. */
export function scannerConfigFile(dir: string, name: string, scannerConfig: string): string {
  const file = join(dir, `${name}.yaml`);
  const indented = scannerConfig.split("\n").map((line) => `      ${line}`).join("\n");
  writeFileSync(file, `apiVersion: eraser.sh/v1alpha3\nkind: EraserConfig\ncomponents:\n  scanner:\n    config: |\n${indented}\n`);
  return file;
}

export interface ScanPipelineOptions {
  endpoint: string;
  /** Scratch directory: the run's shared directory and exclusion lists go under it. */
  dir: string;
  name: string;
  /** The EraserConfig file (scannerConfigFile). */
  config: string;
  /** Image patterns in one mounted exclusion list. */
  excluded?: string[];
  trivy?: string;
  scannerArgs?: string[];
  removerArgs?: string[];
  /** The scanner's environment on top of this process's (TRIVY_TOKEN, as the pod's Secret gives it). */
  scannerEnv?: Record<string, string>;
}

export type WorkerRun = Awaited<ReturnType<typeof runWorker>>;

export async function runScanPipeline(o: ScanPipelineOptions): Promise<{ scanner: WorkerRun; remover: WorkerRun }> {
  const shared = join(o.dir, `shared-${o.name}`);
  const exclusions = join(o.dir, "exclusions");
  mkdirSync(join(exclusions, "team"), { recursive: true });
  writeFileSync(join(exclusions, "team", "excluded.json"), JSON.stringify({ excluded: o.excluded ?? [] }));
  const common = [`--runtime-endpoint=${o.endpoint}`, `--shared-dir=${shared}`, `--exclusion-dir=${exclusions}`];
  // Started in the order a kubelet may start them: the remover first, waiting for the others.
  const remover = runWorker(["remover", ...common, ...(o.removerArgs ?? [])]);
  const collector = await runWorker(["collector", ...common]);
  assert.equal(collector.exitCode, 0, collector.stderr);
  const scanner = await runWorker(["trivy-scanner", ...common, `--config=${o.config}`, `--trivy-path=${o.trivy ?? trivyBinary}`, ...(o.scannerArgs ?? [])], { env: o.scannerEnv ?? {} });
  return { scanner, remover: await remover };
}
