// Runs one task per item, `concurrency` at a time, each after taking a token of the client-side
// rate limit, until the items or the time budget run out (the rest comes on the next pass, so no
// reconcile blocks for minutes). What is left undone is returned.
import type { Clock } from "../clock.ts";
import type { TokenBucket } from "../token-bucket.ts";

export interface LimitedRun {
  limiter: TokenBucket;
  clock: Clock;
  concurrency: number;
  budgetMs: number;
}

export async function runLimited<T>(items: readonly T[], o: LimitedRun, task: (item: T) => Promise<void>): Promise<T[]> {
  const { limiter, clock } = o;
  const deadline = clock.now() + o.budgetMs;
  const queue = [...items];
  const worker = async (): Promise<void> => {
    while (queue.length > 0 && clock.now() < deadline) {
      if (!limiter.tryTake()) {
        await new Promise((r) => setTimeout(r, Math.min(limiter.waitMs(), Math.max(0, deadline - clock.now()))));
        continue;
      }
      const item = queue.shift();
      if (item === undefined) return;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.concurrency, items.length) }, worker));
  return queue;
}
