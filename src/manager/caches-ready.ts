// A cache whose first list failed (the API server busy, RBAC not there yet) relists with backoff,
// and until then holds nothing: a job chosen from it would run on no node and complete at once,
// and its ImageList would read as done. No controller runs before every cache holds a full list.
import type { Logger } from "../observability/logger.ts";

export interface Caches {
  start(): Promise<void>;
  readonly synced: boolean;
}

/** Starts the caches and resolves once every one holds a full list, saying every 10 s that it waits. */
export async function startCaches(caches: Caches, logger: Logger, pollMs = 250): Promise<void> {
  await caches.start();
  let waitedMs = 0;
  while (!caches.synced) {
    if (waitedMs % 10_000 === 0) logger.info({ waitedMs }, "Waiting for the caches' first full list before running any controller");
    await new Promise((r) => setTimeout(r, pollMs));
    waitedMs += pollMs;
  }
}
