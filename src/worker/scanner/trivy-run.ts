// One trivy process, in a temporary directory of its own that goes with it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import type { TrivyEnd } from "./unjudged.ts";

/** How a trivy run ended: what the scanner reads of execa's result. */
export interface TrivyRun extends TrivyEnd {
  exitCode: number | undefined;
  failed: boolean;
  code: string | undefined;
  stdout: string;
}

/**
 * trivy exports each image into a temporary file and removes it when it exits. A trivy that is
 * killed (the OOM killer) cannot, and the export, as large as the image, would stay in the
 * container until its pod goes (a day after a failed job, by default). Each run gets its own
 * TMPDIR, removed after it whatever happened.
 */
export async function runTrivy(trivyPath: string, args: string[], env: Record<string, string>, timeoutMs: number): Promise<TrivyRun> {
  const tmp = mkdtempSync(join(tmpdir(), "eraser-trivy-"));
  try {
    const r = await execa(trivyPath, args, { env: { ...env, TMPDIR: tmp }, reject: false, timeout: timeoutMs, all: false });
    return { exitCode: r.exitCode, signal: r.signal, timedOut: r.timedOut, failed: r.failed, code: r.code, stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
