// The per-node result, built from the decision and the removal outcome, and written to the
// termination-message file so the manager can put it into ImageJob.status.
import { writeFileSync } from "node:fs";
import { formatNodeResult, type KeptReason, type NodeResult } from "../api/node-result.ts";
import type { Decision } from "./decide.ts";
import type { RemovalOutcome } from "./remove.ts";

/** What the scanner found and how: vulnerable images, trivy runs, verdicts reused from another node, images kept without a verdict. */
export interface ScanTally {
  vulnerable: number;
  scanned: number;
  reused: number;
  unjudged: number;
}

export const noScan: ScanTally = { vulnerable: 0, scanned: 0, reused: 0, unjudged: 0 };

export function buildResult(decision: Decision, outcome: RemovalOutcome, options: { dryRun: boolean; scan?: ScanTally }): NodeResult {
  const kept: Partial<Record<KeptReason, number>> = {};
  const count = (reason: KeptReason): void => {
    kept[reason] = (kept[reason] ?? 0) + 1;
  };
  for (const k of decision.kept) count(k.reason);
  if (outcome.keptInUse.length > 0) kept["in-use"] = (kept["in-use"] ?? 0) + outcome.keptInUse.length;
  return {
    v: 1,
    dryRun: options.dryRun,
    removed: outcome.removed.length,
    removedBytes: outcome.removed.reduce((sum, image) => sum + image.sizeBytes, 0),
    vulnerable: options.scan?.vulnerable ?? 0,
    scanned: options.scan?.scanned ?? 0,
    scansReused: options.scan?.reused ?? 0,
    unjudged: options.scan?.unjudged ?? 0,
    kept,
    failed: outcome.failed.length,
    failures: outcome.failed.slice(0, 20).map((f) => ({ image: f.image.repoTags[0] ?? f.image.id, reason: f.reason })),
  };
}

export function errorResult(error: string, dryRun: boolean): NodeResult {
  return { v: 1, dryRun, removed: 0, removedBytes: 0, vulnerable: 0, scanned: 0, scansReused: 0, unjudged: 0, kept: {}, failed: 0, failures: [], error };
}

/** Best effort: a missing termination-log path must not turn a good run into a failed one. */
export function writeTerminationMessage(path: string, result: NodeResult): boolean {
  try {
    writeFileSync(path, formatNodeResult(result));
    return true;
  } catch {
    return false;
  }
}
