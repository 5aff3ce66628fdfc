// remover: removes the final list, from the pipeline (automatic mode) or from the image list
// file (manual mode), after re-reading the node's state; writes the per-node result to the
// termination-message file either way.
import { decide, requestFromList, type Request } from "../decide.ts";
import { waitForStage } from "../handoff.ts";
import { takeInventory } from "../inventory.ts";
import { logKept } from "../log-decisions.ts";
import { waitForPodImagesFile } from "../pod-images-file.ts";
import { removeImages } from "../remove.ts";
import { buildResult, errorResult, noScan, writeTerminationMessage, type ScanTally } from "../result.ts";
import type { Logger } from "../../observability/logger.ts";
import type { NodeResult } from "../../api/node-result.ts";
import type { WorkerOptions } from "../args.ts";
import { createContext } from "../context.ts";
import { readImageListFile } from "../image-list-file.ts";

async function requestFor(options: WorkerOptions): Promise<{ request: Request; scan: ScanTally }> {
  if (options.imagelist !== undefined) return { request: requestFromList(readImageListFile(options.imagelist)), scan: noScan };
  const final = await waitForStage(options["shared-dir"], "final", { timeoutMs: options["wait-timeout"] * 1000, staleMs: options["liveness-timeout"] * 1000 });
  return { request: requestFromList(final.images), scan: { vulnerable: final.vulnerable, scanned: final.scanned, reused: final.reused, unjudged: final.unjudged } };
}

/** `--pod-image` and, with `--pod-images-file`, the images the node's pods name after the scan (ADR 0023). */
async function withPodImagesAfterScan(options: WorkerOptions, logger: Logger): Promise<WorkerOptions> {
  const file = options["pod-images-file"];
  if (file === undefined) return options;
  const known = new Set(options["pod-image"]);
  const after = await waitForPodImagesFile(file, { timeoutMs: options["pod-images-timeout"] * 1000 });
  const added = after.filter((image) => !known.has(image));
  logger.info({ images: after.length, added }, "Read the images the node's pods name after the scan");
  return { ...options, "pod-image": [...known, ...added] };
}

export async function cleanNode(options: WorkerOptions, logger: Logger, request: Request, scan: ScanTally): Promise<NodeResult> {
  const ctx = await createContext(options, logger);
  try {
    const inventory = await takeInventory(ctx.cri, ctx.mounts);
    const decision = decide(inventory, request, ctx.exclusions, ctx);
    logKept(logger, decision);
    const outcome = await removeImages(ctx.cri, decision.remove, { concurrency: options.concurrency, dryRun: options["dry-run"], logger, mounts: ctx.mounts });
    return buildResult(decision, outcome, { dryRun: options["dry-run"], scan });
  } finally {
    ctx.cri.close();
  }
}

export async function runRemover(options: WorkerOptions, logger: Logger): Promise<number> {
  let result: NodeResult;
  try {
    const { request, scan } = await requestFor(options);
    result = await cleanNode(await withPodImagesAfterScan(options, logger), logger, request, scan);
  } catch (error) {
    result = errorResult((error as Error).message, options["dry-run"]);
    logger.error({ reason: result.error }, "Remover failed; this node removed nothing");
  }
  writeTerminationMessage(options["termination-log"], result);
  logger.info({ result }, result.dryRun ? "Dry run finished: nothing was removed" : "Remover finished");
  return result.error === undefined && result.failed === 0 ? 0 : 1;
}
