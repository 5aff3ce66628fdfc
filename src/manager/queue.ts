// One keyed work queue: a key is reconciled by one worker at a time, adds of a waiting key are
// merged, a failed reconcile comes back with exponential backoff, and a reconcile may ask to be
// called again after a delay (timers for cleanup, timeouts, schedules).
export type ReconcileResult = { requeueAfterMs?: number } | undefined;
export type Reconciler = (key: string) => Promise<ReconcileResult>;

export interface QueueOptions {
  workers?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  onError?: (key: string, error: unknown, retryInMs: number) => void;
}

export class WorkQueue {
  readonly #reconcile: Reconciler;
  readonly #pending = new Set<string>();
  readonly #order: string[] = [];
  readonly #active = new Set<string>();
  readonly #dirty = new Set<string>();
  readonly #failures = new Map<string, number>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #options: Required<Omit<QueueOptions, "onError">> & { onError: QueueOptions["onError"] | undefined };
  #running = 0;
  #stopped = false;
  #idle: (() => void)[] = [];

  constructor(reconcile: Reconciler, options: QueueOptions = {}) {
    this.#reconcile = reconcile;
    this.#options = { workers: options.workers ?? 4, baseBackoffMs: options.baseBackoffMs ?? 500, maxBackoffMs: options.maxBackoffMs ?? 60_000, onError: options.onError };
  }

  add(key: string): void {
    if (this.#stopped) return;
    if (this.#active.has(key)) {
      this.#dirty.add(key);
      return;
    }
    if (this.#pending.has(key)) return;
    this.#pending.add(key);
    this.#order.push(key);
    this.#pump();
  }

  addAfter(key: string, delayMs: number): void {
    if (this.#stopped) return;
    const existing = this.#timers.get(key);
    if (existing !== undefined) clearTimeout(existing);
    const timer = setTimeout(() => {
      this.#timers.delete(key);
      this.add(key);
    }, Math.max(0, delayMs));
    timer.unref();
    this.#timers.set(key, timer);
  }

  #pump(): void {
    while (!this.#stopped && this.#running < this.#options.workers && this.#order.length > 0) {
      const key = this.#order.shift();
      if (key === undefined) break;
      this.#pending.delete(key);
      this.#active.add(key);
      this.#running++;
      void this.#run(key);
    }
    if (this.#running === 0 && this.#order.length === 0) for (const resolve of this.#idle.splice(0)) resolve();
  }

  async #run(key: string): Promise<void> {
    try {
      const result = await this.#reconcile(key);
      this.#failures.delete(key);
      if (result?.requeueAfterMs !== undefined) this.addAfter(key, result.requeueAfterMs);
    } catch (error) {
      const failures = (this.#failures.get(key) ?? 0) + 1;
      this.#failures.set(key, failures);
      const delay = Math.min(this.#options.maxBackoffMs, this.#options.baseBackoffMs * 2 ** (failures - 1));
      this.#options.onError?.(key, error, delay);
      this.addAfter(key, delay);
    } finally {
      this.#active.delete(key);
      this.#running--;
      if (this.#dirty.delete(key)) this.add(key);
      this.#pump();
    }
  }

  /** Resolves when nothing is queued or running (timers may still be set). */
  idle(): Promise<void> {
    if (this.#running === 0 && this.#order.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Stops taking work and cancels timers; waits for running reconciles to finish. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    this.#order.length = 0;
    this.#pending.clear();
    while (this.#running > 0) await new Promise((r) => setTimeout(r, 10));
  }
}
