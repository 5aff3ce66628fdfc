// trivy-scanner: waits for the collector's candidates, scans each with trivy, and hands the
// non-compliant ones to the remover. Any failure of its own (no trivy, bad config, dead runtime)
// is a failure marker: the remover then removes nothing.
import { readFileSync } from "node:fs";
import { defaultEraserConfig, loadEraserConfig } from "../../api/config/load.ts";
import type { ScannerConfig } from "../../api/config/types.ts";
import type { Logger } from "../../observability/logger.ts";
import type { WorkerOptions } from "../args.ts";
import { connectRuntime } from "../context.ts";
import { waitForStage, writeFailure, writeStage } from "../handoff.ts";
import { scanImages } from "../scanner/scan.ts";

export function scannerConfigFrom(path: string | undefined, logger: Logger): ScannerConfig {
  if (path === undefined) return defaultEraserConfig().components.scanner.config;
  const { config, warnings } = loadEraserConfig(readFileSync(path, "utf8"));
  for (const warning of warnings) logger.warn({ config: path }, warning);
  return config.components.scanner.config;
}

export async function runScanner(options: WorkerOptions, logger: Logger): Promise<number> {
  const shared = options["shared-dir"];
  try {
    const config = scannerConfigFrom(options.config, logger);
    const collected = await waitForStage(shared, "collected", options["wait-timeout"] * 1000);
    const cri = await connectRuntime(options["runtime-endpoint"], logger);
    try {
      const wanted = new Set(collected.images);
      const images = (await cri.listImages()).filter((image) => wanted.has(image.id));
      const outcome = await scanImages(images, config, { trivyPath: options["trivy-path"], runtimeEndpoint: options["runtime-endpoint"], logger });
      writeStage(shared, "final", { images: outcome.flagged.map((i) => i.id), vulnerable: outcome.vulnerable });
      logger.info({ scanned: images.length, flagged: outcome.flagged.length }, "Scan finished");
      return 0;
    } finally {
      cri.close();
    }
  } catch (error) {
    const reason = (error as Error).message;
    writeFailure(shared, "trivy-scanner", reason);
    logger.error({ reason }, "Scanner failed; this node removes nothing");
    return 1;
  }
}
