// What deleted-pods.ts knows of a job, in the form a restarted manager reads back (ADR 0014): a
// finished pod that was deleted as its outcome (phase, the counts its node result adds to the job,
// and why it failed), and the deletions and drains seen so far. A finished pod is kept as one short
// JSON line, not as the pod: the pod garbage collector may delete thousands of them in one job, and
// a ConfigMap holds at most 1 MiB. 5,000 lines take ~350 KB.
import { formatNodeResult } from "../../api/node-result.ts";
import { containerNames } from "../../api/worker-contract.ts";
import * as z from "../../api/zod.ts";
import type { CachedPod } from "../cached-objects.ts";
import { failedPodReason, podResult } from "./job-progress.ts";

export interface SavedLedger {
  /** Finished pods deleted since, one per node. */
  finished: CachedPod[];
  /** Nodes whose unfinished pods were deleted, and how often. */
  deletions: ReadonlyMap<string, number>;
  /** Cordoned nodes whose pod was deleted before it succeeded. */
  drained: readonly string[];
}

const count = z.int().check(z.nonnegative());
/**
 * `[node, phase, removed, removedBytes, vulnerable, scanned, scansReused, unjudged, reason?]`.
 * Records a manager wrote before `unjudged` lack it, and are read with it 0.
 */
const FinishedLineSchema = z.union([
  z.tuple([z.string(), z.literal("Succeeded"), count, count, count, count, count, count]),
  z.tuple([z.string(), z.literal("Failed"), count, count, count, count, count, count, z.string()]),
  z.tuple([z.string(), z.literal("Succeeded"), count, count, count, count, count]),
  z.tuple([z.string(), z.literal("Failed"), count, count, count, count, count, z.string()]),
]);
const DeletionsSchema = z.record(z.string(), z.int().check(z.positive()));

/** Keys of the job's `<job>-deleted-pods` ConfigMap. */
export const ledgerKeys = { finished: "finished", deletions: "deletions", drained: "drained" } as const;
/** A ConfigMap holds at most 1 MiB; beyond this the rest stays in the manager's memory only. */
export const maxFinishedBytes = 900_000;
const maxReason = 300;

/** What a node's result adds to its job's totals; nothing when it left none. */
function countsOf(pod: CachedPod): number[] {
  const r = podResult(pod);
  return r === undefined ? [0, 0, 0, 0, 0, 0] : [r.removed, r.removedBytes, r.vulnerable, r.scanned, r.scansReused, r.unjudged];
}

function finishedLine(pod: CachedPod): string {
  const node = pod.spec?.nodeName ?? "";
  const counts = countsOf(pod);
  if (pod.status?.phase === "Succeeded") return JSON.stringify([node, "Succeeded", ...counts]);
  const reason = failedPodReason(pod);
  return JSON.stringify([node, "Failed", ...counts, reason.length > maxReason ? `${reason.slice(0, maxReason)}…` : reason]);
}

/** A pod that job-progress.ts counts as the deleted one was counted: its phase, counts and reason. */
function podFromLine(line: z.infer<typeof FinishedLineSchema>): CachedPod {
  const [node, phase] = line;
  const [removed = 0, removedBytes = 0, vulnerable = 0, scanned = 0, scansReused = 0, unjudged = 0] = line.filter((field) => typeof field === "number");
  const reason = line.at(-1);
  const error = phase === "Failed" && typeof reason === "string" ? { error: reason } : {};
  const message = formatNodeResult({ v: 1, dryRun: false, removed, removedBytes, vulnerable, scanned, scansReused, unjudged, kept: {}, failed: 0, failures: [], ...error });
  return {
    metadata: { name: `${node} (deleted, restored)` },
    spec: { nodeName: node },
    status: { phase, containerStatuses: [{ name: containerNames.remover, state: { terminated: { exitCode: phase === "Succeeded" ? 0 : 1, message } } }] },
  };
}

/** The ConfigMap's data for `saved`, and how many finished pods did not fit. */
export function encodeLedger(saved: SavedLedger): { data: Record<string, string>; leftOut: number } {
  const lines: string[] = [];
  let bytes = 0;
  for (const pod of saved.finished) {
    const line = finishedLine(pod);
    const size = Buffer.byteLength(line) + 1;
    if (bytes + size > maxFinishedBytes) break;
    lines.push(line);
    bytes += size;
  }
  return {
    data: { [ledgerKeys.finished]: lines.join("\n"), [ledgerKeys.deletions]: JSON.stringify(Object.fromEntries(saved.deletions)), [ledgerKeys.drained]: saved.drained.join("\n") },
    leftOut: saved.finished.length - lines.length,
  };
}

const lines = (text: string | undefined): string[] => (text ?? "").split("\n").filter((l) => l !== "");

/** Reads the ConfigMap's data back, or says what is wrong with it. */
export function decodeLedger(data: Readonly<Record<string, string>>): { ok: true; saved: SavedLedger } | { ok: false; reason: string } {
  const finished: CachedPod[] = [];
  for (const [index, text] of lines(data[ledgerKeys.finished]).entries()) {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return { ok: false, reason: `line ${index + 1} of "${ledgerKeys.finished}" is not JSON` };
    }
    const parsed = FinishedLineSchema.safeParse(raw);
    if (!parsed.success) return { ok: false, reason: `line ${index + 1} of "${ledgerKeys.finished}": ${z.prettifyError(parsed.error)}` };
    finished.push(podFromLine(parsed.data));
  }
  let rawDeletions: unknown;
  try {
    rawDeletions = JSON.parse(data[ledgerKeys.deletions] ?? "{}");
  } catch {
    return { ok: false, reason: `"${ledgerKeys.deletions}" is not JSON` };
  }
  const deletions = DeletionsSchema.safeParse(rawDeletions);
  if (!deletions.success) return { ok: false, reason: `"${ledgerKeys.deletions}": ${z.prettifyError(deletions.error)}` };
  return { ok: true, saved: { finished, deletions: new Map(Object.entries(deletions.data)), drained: lines(data[ledgerKeys.drained]) } };
}
