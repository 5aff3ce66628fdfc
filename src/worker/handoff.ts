// collector -> trivy-scanner -> remover hand-over through the pod's shared emptyDir. Each stage
// writes its output atomically (temp file + rename) and the next waits for it; a stage that fails
// writes a failure marker instead, and one that is killed stops showing signs of life
// (heartbeat.ts): either way its neighbour stops waiting and removes nothing.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as z from "../api/zod.ts";
import { liveNeighbour, silentNeighbour } from "./heartbeat.ts";

export const stages = { collected: "collected.json", final: "final.json" } as const;
export type Stage = keyof typeof stages;

export const ImageListFileSchema = z.object({
  /** Image IDs. */
  images: z.array(z.string().check(z.minLength(1))),
  vulnerable: z._default(z.int().check(z.nonnegative()), 0),
  /** Candidates trivy ran for on this node, and those settled by an earlier node's verdict. */
  scanned: z._default(z.int().check(z.nonnegative()), 0),
  reused: z._default(z.int().check(z.nonnegative()), 0),
  /** Candidates the scanner kept without a verdict (scanner/scan.ts). */
  unjudged: z._default(z.int().check(z.nonnegative()), 0),
});
export type StageOutput = z.infer<typeof ImageListFileSchema>;

const failureFile = "failed.json";

/** Counts left out are 0, as the reader's schema defaults them. */
export function writeStage(dir: string, stage: Stage, output: z.input<typeof ImageListFileSchema>): void {
  mkdirSync(dir, { recursive: true });
  const target = join(dir, stages[stage]);
  writeFileSync(`${target}.tmp`, JSON.stringify(output));
  renameSync(`${target}.tmp`, target);
}

export function writeFailure(dir: string, stage: string, reason: string): void {
  mkdirSync(dir, { recursive: true });
  const target = join(dir, failureFile);
  writeFileSync(`${target}.tmp`, JSON.stringify({ stage, reason }));
  renameSync(`${target}.tmp`, target);
}

export class HandoffError extends Error {
  override readonly name = "HandoffError";
}

export interface WaitOptions {
  /** Give up after this long, unless another pipeline container is then alive. */
  timeoutMs: number;
  /** A sign of life older than this means its container was killed. */
  staleMs: number;
  /** The waiting container's own name, when it shows signs of life itself. */
  self?: string;
  pollMs?: number;
}

/**
 * Waits for `stage` until a neighbour fails (its marker) or has shown no sign of life for
 * `staleMs`. Past `timeoutMs` it waits on only while another container is alive: a scan can take
 * hours (the scanner's own timeout.total bounds it), and a neighbour that never started shows none.
 */
export async function waitForStage(dir: string, stage: Stage, o: WaitOptions): Promise<StageOutput> {
  const { timeoutMs, staleMs, pollMs = 250 } = o;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const failure = join(dir, failureFile);
    if (existsSync(failure)) {
      const body = z.object({ stage: z.string(), reason: z.string() }).safeParse(JSON.parse(readFileSync(failure, "utf8")));
      const why = body.success ? `${body.data.stage} failed: ${body.data.reason}` : "a previous stage failed";
      throw new HandoffError(`${why}; removing nothing`);
    }
    const file = join(dir, stages[stage]);
    if (existsSync(file)) {
      const parsed = ImageListFileSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
      if (!parsed.success) throw new HandoffError(`${file} is not a valid stage output: ${z.prettifyError(parsed.error)}`);
      return parsed.data;
    }
    const silent = silentNeighbour(dir, staleMs);
    if (silent !== undefined) {
      const seconds = Math.round(silent.silentMs / 1000);
      throw new HandoffError(`${silent.name} stopped without finishing (no sign of life for ${seconds} s: killed, or out of memory?); removing nothing`);
    }
    if (Date.now() > deadline && liveNeighbour(dir, staleMs, o.self) === undefined) {
      throw new HandoffError(`gave up waiting ${Math.round(timeoutMs / 1000)} s for ${file}, with no other container alive; removing nothing`);
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
