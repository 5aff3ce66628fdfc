// An informer that does not die silently: client-node's ListWatch stops on a generic error (it
// only reconnects by itself after 410 Gone and client timeouts), so this one restarts it with
// backoff. A restart lists only if the cache has no resource version yet (or had 410 Gone);
// otherwise it watches again from the cache's. `synced` says the cache is current: a full list
// arrived, or a watch from its resource version was accepted since the last failure (for /readyz,
// and before any controller runs). It lists in pages and caches only what `keep` keeps of each
// object (keep.ts).
//
// ListWatch.start() resolves even when its list failed: it hands the error to the "error"
// callbacks and returns. So a full list is known from the list itself, not from start(): taking
// start()'s return for one called an empty cache synced when RBAC refused the list (proven on the
// real API server, manager-late-rbac), and reset the backoff, so a refused list was retried every
// 500 ms for ever. Knowing it from the list alone, though, left a cache unsynced for ever after a
// watch failed once and was then accepted again from its resource version, with no list
// (informer-refusals): the manager stayed unready, and one not yet started never started.
import { ListWatch, type KubeConfig, type KubernetesObject } from "@kubernetes/client-node";
import type { Logger } from "../observability/logger.ts";
import { describeError } from "./errors.ts";
import type { Keep } from "./keep.ts";
import { KeepProblemLog } from "./keep-problem-log.ts";
import { KeepingWatch } from "./keeping-watch.ts";
import { listKept, type ListedPage, type ListPage } from "./paged-list.ts";
import { refusalHint } from "./refusal-hint.ts";

export interface InformerOptions<T extends KubernetesObject> {
  kubeConfig: KubeConfig;
  /** Watch path, e.g. /api/v1/namespaces/eraser-system/pods */
  path: string;
  /** Lists one page, with the same selectors as the watch. */
  list: (page: ListPage) => Promise<ListedPage>;
  keep: Keep<T>;
  /** Objects per list page (default listPageSize). */
  pageSize?: number;
  /** The first retry's delay; each failure in a row doubles it, up to 30 s (default 500 ms). */
  retryBaseMs?: number;
  labelSelector?: string;
  fieldSelector?: string;
  logger: Logger;
  onEvent: (type: "add" | "update" | "delete", object: T) => void;
}

/** A watch that broke this long after its list had worked: its break starts a new run of retries. */
const heldWatchMs = 60_000;

export class ResilientInformer<T extends KubernetesObject> {
  readonly #informer: ListWatch<T>;
  readonly #logger: Logger;
  readonly #path: string;
  #synced = false;
  #stopped = false;
  #failures = 0;
  /** When the cache last became current, and the last failure: a watch that then held ends a run of failures. */
  #currentAt = 0;
  #failedAt = 0;
  readonly #retryBaseMs: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: InformerOptions<T>) {
    this.#logger = options.logger;
    this.#path = options.path;
    this.#retryBaseMs = options.retryBaseMs ?? 500;
    const { report } = new KeepProblemLog(options.logger);
    const watch = new KeepingWatch(options.kubeConfig, options.keep, report, () => {
      this.#current();
    });
    const list = async (): ReturnType<typeof listKept<T>> => {
      const listed = await listKept(options.list, options.keep, report, options.pageSize);
      this.#current();
      return listed;
    };
    this.#informer = new ListWatch<T>(options.path, watch, list, false, options.labelSelector, options.fieldSelector);
    for (const type of ["add", "update", "delete"] as const) {
      this.#informer.on(type, (object) => {
        options.onEvent(type, object);
      });
    }
    this.#informer.on("error", (error?: unknown) => {
      this.#restart(error);
    });
  }

  /**
   * A full list arrived, or a watch from the cache's resource version was accepted (after a
   * failure, ListWatch watches again from there without listing; the API server then sends every
   * change since, or 410 Gone, which makes ListWatch list).
   */
  #current(): void {
    this.#synced = true;
    this.#currentAt = Date.now();
  }

  get synced(): boolean {
    return this.#synced;
  }

  /** Lists and watches; resolves after the first try, listed or not (`synced` says which). */
  async start(): Promise<void> {
    this.#stopped = false;
    try {
      await this.#informer.start();
    } catch (error) {
      this.#restart(error);
    }
  }

  #restart(error: unknown): void {
    this.#synced = false;
    if (this.#stopped) return;
    const now = Date.now();
    if (this.#currentAt > this.#failedAt && now - this.#currentAt > heldWatchMs) this.#failures = 0;
    this.#failedAt = now;
    this.#failures++;
    const delay = Math.min(30_000, this.#retryBaseMs * 2 ** Math.min(this.#failures - 1, 6));
    const hint = refusalHint(error, this.#path);
    this.#logger.warn({ err: describeError(error), retryInMs: delay, ...(hint === undefined ? {} : { hint }) }, "Watch failed; relisting");
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.start(), delay);
    this.#timer.unref();
  }

  list(): readonly T[] {
    return this.#informer.list();
  }

  get(name: string, namespace?: string): T | undefined {
    return this.#informer.get(name, namespace);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#informer.stop();
  }
}
