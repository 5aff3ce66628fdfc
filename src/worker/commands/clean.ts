// clean: the whole pipeline in one process on the current node, for people:
//   eraser-worker clean --runtime-endpoint unix:///run/containerd/containerd.sock \
//     (--images a,b | --prune) [--scan [--config f]] [--dry-run] [--exclusions dir]
// Prints the node result as JSON.
import type { Logger } from "../../observability/logger.ts";
import { decide, requestFromList, type Request } from "../decide.ts";
import { takeInventory } from "../inventory.ts";
import { noScan, type ScanTally } from "../result.ts";
import { scanImages } from "../scanner/scan.ts";
import { UsageError, type WorkerOptions } from "../args.ts";
import { createContext } from "../context.ts";
import { cleanNode } from "./remover.ts";
import { scannerConfigFrom } from "./scanner.ts";

function requestedList(options: WorkerOptions): Request {
  if (options.prune) return { kind: "prune" };
  if (options.images !== undefined) return requestFromList(options.images.split(",").map((s) => s.trim()).filter((s) => s !== ""));
  throw new UsageError("clean needs --images <a,b,...> or --prune");
}

async function scanFirst(options: WorkerOptions, logger: Logger, request: Request): Promise<{ request: Request; scan: ScanTally }> {
  const config = scannerConfigFrom(options.config, logger);
  const ctx = await createContext(options, logger);
  try {
    const candidates = decide(await takeInventory(ctx.cri, ctx.mounts), request, ctx.exclusions, ctx).remove;
    const outcome = await scanImages(candidates, config, { trivyPath: options["trivy-path"], runtimeEndpoint: options["runtime-endpoint"], logger });
    return { request: requestFromList(outcome.flagged.map((i) => i.id)), scan: { vulnerable: outcome.vulnerable, scanned: candidates.length, reused: 0, unjudged: outcome.unjudged } };
  } finally {
    ctx.cri.close();
  }
}

export async function runClean(options: WorkerOptions, logger: Logger): Promise<number> {
  const listed = requestedList(options);
  const { request, scan } = options.scan ? await scanFirst(options, logger, listed) : { request: listed, scan: noScan };
  const result = await cleanNode(options, logger, request, scan);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  return result.failed === 0 ? 0 : 1;
}
