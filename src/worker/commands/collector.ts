// collector: lists the node's images and containers and writes the candidates (images nothing
// uses, minus sandbox, pinned, excluded and our own images) for the scanner, or straight for the
// remover when the scanner is off.
import { decide } from "../decide.ts";
import { writeFailure, writeStage } from "../handoff.ts";
import { startHeartbeat } from "../heartbeat.ts";
import { takeInventory } from "../inventory.ts";
import { logKept } from "../log-decisions.ts";
import type { Logger } from "../../observability/logger.ts";
import type { WorkerOptions } from "../args.ts";
import { createContext } from "../context.ts";

export async function runCollector(options: WorkerOptions, logger: Logger): Promise<number> {
  const shared = options["shared-dir"];
  const alive = startHeartbeat(shared, "collector");
  try {
    const ctx = await createContext(options, logger);
    try {
      const inventory = await takeInventory(ctx.cri, ctx.mounts);
      const decision = decide(inventory, { kind: "prune" }, ctx.exclusions, ctx);
      logKept(logger, decision);
      const images = decision.remove.map((image) => image.id);
      writeStage(shared, options["scan-disabled"] ? "final" : "collected", { images, vulnerable: 0 });
      logger.info({ candidates: images.length, images: inventory.images.length, containers: inventory.containers.length }, "Collected removal candidates");
      return 0;
    } finally {
      ctx.cri.close();
    }
  } catch (error) {
    const reason = (error as Error).message;
    writeFailure(shared, "collector", reason);
    logger.error({ reason }, "Collector failed; this node removes nothing");
    return 1;
  } finally {
    alive.stop();
  }
}
