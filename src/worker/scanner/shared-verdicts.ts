// The scanner's side of scanning once per run (src/api/scan-verdicts.ts). A node after the first
// wave reads the verdicts the manager mounted and scans only what they do not cover; any doubt
// about the file (missing, malformed, other settings) means scanning everything, as without it.
// A first-wave node reports its own verdicts in its termination message.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { formatShareReport, SharedVerdictsSchema, type OwnVerdicts, type SharedVerdicts } from "../../api/scan-verdicts.ts";
import * as z from "../../api/zod.ts";
import type { ImageRecord } from "../../images/record.ts";
import type { Logger } from "../../observability/logger.ts";

export type KnownVerdicts = SharedVerdicts["images"];

/** The verdicts in `file` made under `fingerprint`; none (with a warning saying why) otherwise. */
export function readSharedVerdicts(file: string, fingerprint: string, logger: Logger): KnownVerdicts {
  const none = (why: string): KnownVerdicts => {
    logger.warn({ verdicts: file }, `No verdicts from earlier nodes: ${why}; scanning every image here`);
    return {};
  };
  if (!existsSync(file)) return none("the file is missing");
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    return none(`the file is not JSON (${(error as Error).message})`);
  }
  const parsed = SharedVerdictsSchema.safeParse(raw);
  if (!parsed.success) return none(`the file is not a verdict list: ${z.prettifyError(parsed.error)}`);
  if (parsed.data.config !== fingerprint) return none(`they were made under other scanner settings (${parsed.data.config}, here ${fingerprint})`);
  return parsed.data.images;
}

export interface Reuse {
  /** Images another node's scan found non-compliant in this run. */
  flagged: ImageRecord[];
  /** Images no shared verdict covers: scanned here. */
  toScan: ImageRecord[];
}

/** Applies the shared verdicts to `images`, logging one decision per image it settles. */
export function reuseVerdicts(images: readonly ImageRecord[], known: KnownVerdicts, logger: Logger): Reuse {
  const reuse: Reuse = { flagged: [], toScan: [] };
  for (const image of images) {
    const verdict = known[image.id];
    if (verdict === undefined) {
      reuse.toScan.push(image);
      continue;
    }
    const log = logger.child({ image: image.id, ref: image.repoTags[0] ?? image.repoDigests[0] ?? image.id, scannedOn: verdict.node });
    if (verdict.flagged) {
      reuse.flagged.push(image);
      log.info({ decision: "flagged", reason: "shared-verdict" }, `Flagged non-compliant image: node ${verdict.node} scanned it in this run`);
    } else {
      log.info({ decision: "kept", reason: "compliant", shared: true }, `Kept image: compliant, as node ${verdict.node} scanned it in this run`);
    }
  }
  return reuse;
}

/** Best effort, like the remover's result: a report that cannot be written only costs reuse. */
export function writeShareReport(path: string, fingerprint: string, verdicts: OwnVerdicts, logger: Logger): void {
  try {
    writeFileSync(path, formatShareReport(fingerprint, verdicts));
  } catch (error) {
    logger.warn({ path, reason: (error as Error).message }, "Could not write this node's verdicts for the nodes after it");
  }
}
