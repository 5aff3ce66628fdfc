// Runs trivy on each candidate and keeps the non-compliant ones. A failed scan flags its image
// only when deleteFailedImages says so and trivy judged another image on the node; images left
// when the total timeout runs out, and those trivy could not judge (unjudged.ts), are kept.
import type { ScannerConfig } from "../../api/config/types.ts";
import type { ImageRecord } from "../../images/record.ts";
import type { Logger } from "../../observability/logger.ts";
import { ensureTrivyDb, ensureTrivyServer, throwIfTrivyMissing } from "./db-ready.ts";
import { parseTrivyReport } from "./report.ts";
import { trivyInvocation } from "./trivy-args.ts";
import { JavaDbFetch } from "./java-db.ts";
import { runTrivy } from "./trivy-run.ts";
import { keptUnjudged, unjudgedScan, type Unjudged } from "./unjudged.ts";
import { judgeReport, type Verdict } from "./verdict.ts";

export interface ScanOutcome {
  /** What the remover gets: non-compliant images, and failed scans when deleteFailedImages is on. */
  flagged: ImageRecord[];
  vulnerable: number;
  /** What trivy itself judged (failed and skipped scans are in neither): the verdicts worth sharing. */
  judged: { nonCompliant: string[]; compliant: string[] };
  /** Kept without a verdict: unjudged.ts's causes, a failed scan not flagged, or the total timeout ran out. */
  unjudged: number;
}

/** What one trivy run made of an image. */
type ScanResult = { kind: "judged"; verdict: Verdict } | { kind: "failed"; reason: string } | ({ kind: "unjudged" } & Unjudged);

interface ScanContext {
  trivyPath: string;
  runtimeEndpoint: string;
  logger: Logger;
}

async function scanOne(ref: string, config: ScannerConfig, o: ScanContext, javaDb: JavaDbFetch): Promise<ScanResult> {
  const { args, env } = trivyInvocation(ref, config, o.runtimeEndpoint, { skipJavaDbUpdate: javaDb.skipUpdate });
  const result = await runTrivy(o.trivyPath, args, env, config.timeout.perImageMs + 30_000);
  throwIfTrivyMissing(result, o.trivyPath);
  try {
    if (result.exitCode !== 0) {
      const unjudged = unjudgedScan(result);
      if (unjudged !== undefined) return { kind: "unjudged", ...unjudged };
      throw new Error(`trivy exited ${String(result.exitCode)}: ${result.stderr.slice(-300)}`);
    }
    return { kind: "judged", verdict: judgeReport(parseTrivyReport(result.stdout), config) };
  } catch (error) {
    return { kind: "failed", reason: (error as Error).message };
  }
}

/** One image's scan; a first failed Java DB fetch is retried once with the Java DB cacheDir holds. */
async function scanImage(ref: string, config: ScannerConfig, o: ScanContext, javaDb: JavaDbFetch, log: Logger): Promise<ScanResult> {
  const result = await scanOne(ref, config, o, javaDb);
  if (result.kind !== "unjudged" || result.cause !== "java-db" || !javaDb.failed()) return result;
  log.warn({ reason: result.reason }, "trivy could not fetch its Java DB; this run's scans go on with the Java DB already in cacheDir, if there is one");
  return scanOne(ref, config, o, javaDb);
}

export async function scanImages(images: readonly ImageRecord[], config: ScannerConfig, o: ScanContext): Promise<ScanOutcome> {
  const outcome: ScanOutcome = { flagged: [], vulnerable: 0, judged: { nonCompliant: [], compliant: [] }, unjudged: 0 };
  const javaDb = new JavaDbFetch(config.offline);
  const deadline = Date.now() + config.timeout.totalMs;
  const failed: FailedScan[] = [];
  if (images.length > 0) await ensureTrivyDb(config, o.trivyPath, o.logger);
  for (const image of images) {
    const ref = image.repoTags[0] ?? image.repoDigests[0] ?? image.id;
    const log = o.logger.child({ image: image.id, ref });
    if (Date.now() > deadline) {
      log.warn({ decision: "kept", reason: "scan-timeout" }, "Kept image: the total scan timeout ran out before it was scanned");
      outcome.unjudged += 1;
      continue;
    }
    const result = await scanImage(ref, config, o, javaDb, log);
    // A trivy server that stopped answering, or refuses this scanner, fails every scan: that fails the scanner.
    if (result.kind === "failed" && config.server !== "") await ensureTrivyServer(config.server, result.reason);
    if (result.kind !== "judged") {
      failed.push(result.kind === "failed" ? { image, reason: `scan failed: ${result.reason}`, log } : { image, reason: result.reason, log, unjudged: result.cause });
      continue;
    }
    const verdict = result.verdict;
    if (verdict.nonCompliant) {
      outcome.flagged.push(image);
      outcome.vulnerable += 1;
      outcome.judged.nonCompliant.push(image.id);
      log.info({ decision: "flagged", reasons: verdict.reasons }, "Flagged non-compliant image");
    } else {
      outcome.judged.compliant.push(image.id);
      log.info({ decision: "kept", reason: "compliant" }, "Kept image: compliant");
    }
  }
  settleFailedScans(outcome, failed, config.deleteFailedImages);
  return outcome;
}

export interface FailedScan {
  image: ImageRecord;
  reason: string;
  log: Logger;
  /** Set when the failure says nothing about the image (unjudged.ts): never flagged. */
  unjudged?: Unjudged["cause"];
}

export class TrivyJudgedNothingError extends Error {
  override readonly name = "TrivyJudgedNothingError";
}

/**
 * Failed scans are flagged (deleteFailedImages) only once trivy has judged an image on this node:
 * when every scan failed, the failures say more about the scanner (a runtime trivy cannot read, a
 * broken trivy) than about the images, and flagging them would remove every candidate. Two or more
 * such failures fail the scanner, removing nothing; a single one is kept. Scans that ended without
 * a verdict for a reason that says nothing about the image (unjudged.ts) are never flagged.
 */
export function settleFailedScans(outcome: ScanOutcome, failed: readonly FailedScan[], deleteFailedImages: boolean): void {
  const judged = outcome.judged.nonCompliant.length + outcome.judged.compliant.length;
  // A missing Java DB says nothing about whether this scanner works: only Java images lack it.
  const troubles = failed.filter((f) => f.unjudged !== "java-db");
  if (judged === 0 && troubles.length >= 2) {
    throw new TrivyJudgedNothingError(`trivy judged none of the ${troubles.length} images it scanned on this node, so nothing is flagged; the first failure: ${troubles[0]?.reason ?? ""}`);
  }
  for (const { image, reason, log, unjudged } of failed) {
    if (unjudged === undefined && deleteFailedImages && judged > 0) {
      outcome.flagged.push(image);
      log.warn({ decision: "flagged", reason }, "Flagged image: its scan failed and deleteFailedImages is on");
      continue;
    }
    outcome.unjudged += 1;
    log.warn({ decision: "kept", reason }, keptMessage(unjudged, deleteFailedImages));
  }
}

function keptMessage(unjudged: FailedScan["unjudged"], deleteFailedImages: boolean): string {
  if (unjudged !== undefined) return keptUnjudged[unjudged];
  return deleteFailedImages ? "Kept image: its scan failed, and trivy judged no image on this node to show that it works" : "Kept image: its scan failed";
}
