// The per-node result a remover writes to its termination message and the manager reads back into
// ImageJob.status. The kubelet keeps at most 4096 bytes of a termination message, so the format is
// compact and the failure list is bounded; `formatNodeResult` enforces the size.
import * as z from "./zod.ts";

export const maxTerminationMessageBytes = 4096;

/** Why an image was kept. */
export const keptReasons = [
  "in-use",
  /** Named by a pod on the node whose container for it does not exist (yet): ADR 0019. */
  "awaited",
  "sandbox",
  "pinned",
  "excluded",
  "self",
  "compliant",
  "not-listed",
  "not-found",
] as const;
export const KeptReasonSchema = z.enum(keptReasons);
export type KeptReason = z.infer<typeof KeptReasonSchema>;

const count = z.int().check(z.nonnegative());

export const NodeResultSchema = z.object({
  /** Format version, for the manager to refuse a result it does not understand. */
  v: z.literal(1),
  dryRun: z.boolean(),
  /** Images removed (or, in a dry run, that would have been removed). */
  removed: count,
  removedBytes: count,
  /** Vulnerable images found by the scanner (automatic mode with the scanner on). */
  vulnerable: z._default(count, 0),
  /** Candidates trivy ran for on this node, and those settled by an earlier node's verdict (ADR 0010). */
  scanned: z._default(count, 0),
  scansReused: z._default(count, 0),
  /** Candidates the scanner kept without a verdict: trivy could not judge them, or the total scan timeout ran out. */
  unjudged: z._default(count, 0),
  kept: z.partialRecord(KeptReasonSchema, count),
  failed: count,
  /** The first few failures, `{image, reason}`; `failed` has the full count. */
  failures: z.array(z.object({ image: z.string(), reason: z.string() })).check(z.maxLength(20)),
  /** Set when the node removed nothing because of an error (bad exclusion list, dead socket...). */
  error: z.optional(z.string()),
});
export type NodeResult = z.infer<typeof NodeResultSchema>;

/** Serialises a result to at most `maxTerminationMessageBytes`, dropping failure details first. */
export function formatNodeResult(result: NodeResult): string {
  let candidate: NodeResult = result;
  for (;;) {
    const text = JSON.stringify(candidate);
    if (Buffer.byteLength(text) <= maxTerminationMessageBytes) return text;
    if (candidate.failures.length > 0) {
      candidate = { ...candidate, failures: candidate.failures.slice(0, Math.floor(candidate.failures.length / 2)) };
    } else if (candidate.error !== undefined && candidate.error.length > 200) {
      candidate = { ...candidate, error: `${candidate.error.slice(0, 200)}...` };
    } else {
      return text;
    }
  }
}

/** Parses a termination message; returns a reason string instead of throwing, for status reporting. */
export function parseNodeResult(text: string): { ok: true; result: NodeResult } | { ok: false; reason: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, reason: `termination message is not JSON: ${text.slice(0, 120)}` };
  }
  const parsed = NodeResultSchema.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, reason: `termination message is not a node result: ${z.prettifyError(parsed.error)}` };
  }
  return { ok: true, result: parsed.data };
}
