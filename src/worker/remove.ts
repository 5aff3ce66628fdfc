// Removes the decided images by ID (so every tag goes), at most `concurrency` at a time, each
// after a fresh in-use check; NotFound is done. A dry run does every check and removes nothing.
import type { Logger } from "../observability/logger.ts";
import type { ImageRecord } from "../images/record.ts";
import type { CriClient } from "../cri/types.ts";
import { FreshUsage } from "./fresh-usage.ts";

export interface RemovalOutcome {
  removed: ImageRecord[];
  keptInUse: ImageRecord[];
  failed: { image: ImageRecord; reason: string }[];
}

export interface RemovalOptions {
  concurrency: number;
  dryRun: boolean;
  logger: Logger;
}

export async function removeImages(cri: CriClient, images: readonly ImageRecord[], options: RemovalOptions): Promise<RemovalOutcome> {
  const outcome: RemovalOutcome = { removed: [], keptInUse: [], failed: [] };
  const usage = new FreshUsage(cri);
  const queue = [...images];
  const removeOne = async (image: ImageRecord): Promise<void> => {
    const log = options.logger.child({ image: image.id, tags: image.repoTags });
    if ((await usage.check()).isInUse(image)) {
      outcome.keptInUse.push(image);
      log.info({ decision: "kept", reason: "in-use" }, "Kept image: a container started using it after collection");
      return;
    }
    if (options.dryRun) {
      outcome.removed.push(image);
      log.info({ decision: "would-remove", bytes: image.sizeBytes }, "Would remove image (dry run)");
      return;
    }
    try {
      await cri.removeImage(image.id);
      outcome.removed.push(image);
      log.info({ decision: "removed", bytes: image.sizeBytes }, "Removed image");
    } catch (error) {
      const reason = (error as Error).message;
      outcome.failed.push({ image, reason });
      log.error({ decision: "failed", reason }, "Failed to remove image");
    }
  };
  const worker = async (): Promise<void> => {
    for (let image = queue.shift(); image !== undefined; image = queue.shift()) await removeOne(image);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, images.length)) }, worker));
  return outcome;
}
