// trivy-scanner: waits for the collector's candidates, scans each with trivy (or reuses an earlier
// node's verdict from this run, --verdicts), and hands the non-compliant ones to the remover; in
// the first wave (--share-verdicts) it reports its own verdicts for the nodes after it. Any failure
// of its own (no trivy, bad config, dead runtime) is a failure marker: the remover removes nothing.
import { readFileSync } from "node:fs";
import { defaultEraserConfig, loadEraserConfig } from "../../api/config/load.ts";
import type { ScannerConfig } from "../../api/config/types.ts";
import type { Logger } from "../../observability/logger.ts";
import type { WorkerOptions } from "../args.ts";
import { connectRuntime } from "../context.ts";
import { waitForStage, writeFailure, writeStage } from "../handoff.ts";
import { startHeartbeat } from "../heartbeat.ts";
import { verdictFingerprint } from "../../api/scan-verdicts.ts";
import { scanImages } from "../scanner/scan.ts";
import { readSharedVerdicts, reuseVerdicts, writeShareReport } from "../scanner/shared-verdicts.ts";

export function scannerConfigFrom(path: string | undefined, logger: Logger): ScannerConfig {
  if (path === undefined) return defaultEraserConfig().components.scanner.config;
  const { config, warnings } = loadEraserConfig(readFileSync(path, "utf8"));
  for (const warning of warnings) logger.warn({ config: path }, warning);
  return config.components.scanner.config;
}

export async function runScanner(options: WorkerOptions, logger: Logger): Promise<number> {
  const shared = options["shared-dir"];
  const alive = startHeartbeat(shared, "trivy-scanner");
  try {
    const config = scannerConfigFrom(options.config, logger);
    const collected = await waitForStage(shared, "collected", { timeoutMs: options["wait-timeout"] * 1000, staleMs: options["liveness-timeout"] * 1000, self: "trivy-scanner" });
    const cri = await connectRuntime(options["runtime-endpoint"], logger);
    try {
      const wanted = new Set(collected.images);
      const images = (await cri.listImages()).filter((image) => wanted.has(image.id));
      const fingerprint = verdictFingerprint(config);
      const known = options.verdicts === undefined ? {} : readSharedVerdicts(options.verdicts, fingerprint, logger);
      const reuse = reuseVerdicts(images, known, logger);
      const outcome = await scanImages(reuse.toScan, config, { trivyPath: options["trivy-path"], runtimeEndpoint: options["runtime-endpoint"], logger });
      const flagged = [...reuse.flagged, ...outcome.flagged];
      const reused = images.length - reuse.toScan.length;
      writeStage(shared, "final", { images: flagged.map((i) => i.id), vulnerable: reuse.flagged.length + outcome.vulnerable, scanned: reuse.toScan.length, reused, unjudged: outcome.unjudged });
      if (options["share-verdicts"]) {
        writeShareReport(options["termination-log"], fingerprint, { flagged: outcome.judged.nonCompliant, compliant: outcome.judged.compliant }, logger);
      }
      logger.info({ candidates: images.length, scanned: reuse.toScan.length, reused, flagged: flagged.length, unjudged: outcome.unjudged }, "Scan finished");
      return 0;
    } finally {
      cri.close();
    }
  } catch (error) {
    const reason = (error as Error).message;
    writeFailure(shared, "trivy-scanner", reason);
    logger.error({ reason }, "Scanner failed; this node removes nothing");
    return 1;
  } finally {
    alive.stop();
  }
}
