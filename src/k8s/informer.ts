// An informer that does not die silently: client-node's ListWatch stops on a generic error (it
// only reconnects by itself after 410 Gone and client timeouts), so this one restarts it with
// backoff, which relists. `synced` says the cache holds a full list (for /readyz). It lists in
// pages and caches only what `keep` keeps of each object (keep.ts).
import { ListWatch, type KubeConfig, type KubernetesObject } from "@kubernetes/client-node";
import type { Logger } from "../observability/logger.ts";
import { describeError } from "./errors.ts";
import type { Keep } from "./keep.ts";
import { KeepProblemLog } from "./keep-problem-log.ts";
import { KeepingWatch } from "./keeping-watch.ts";
import { listKept, type ListedPage, type ListPage } from "./paged-list.ts";

export interface InformerOptions<T extends KubernetesObject> {
  kubeConfig: KubeConfig;
  /** Watch path, e.g. /api/v1/namespaces/eraser-system/pods */
  path: string;
  /** Lists one page, with the same selectors as the watch. */
  list: (page: ListPage) => Promise<ListedPage>;
  keep: Keep<T>;
  /** Objects per list page (default listPageSize). */
  pageSize?: number;
  labelSelector?: string;
  fieldSelector?: string;
  logger: Logger;
  onEvent: (type: "add" | "update" | "delete", object: T) => void;
}

export class ResilientInformer<T extends KubernetesObject> {
  readonly #informer: ListWatch<T>;
  readonly #logger: Logger;
  #synced = false;
  #stopped = false;
  #failures = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: InformerOptions<T>) {
    this.#logger = options.logger;
    const { report } = new KeepProblemLog(options.logger);
    const watch = new KeepingWatch(options.kubeConfig, options.keep, report);
    const list = (): ReturnType<typeof listKept<T>> => listKept(options.list, options.keep, report, options.pageSize);
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

  get synced(): boolean {
    return this.#synced;
  }

  async start(): Promise<void> {
    this.#stopped = false;
    try {
      await this.#informer.start();
      this.#synced = true;
      this.#failures = 0;
    } catch (error) {
      this.#restart(error);
    }
  }

  #restart(error: unknown): void {
    this.#synced = false;
    if (this.#stopped) return;
    this.#failures++;
    const delay = Math.min(30_000, 500 * 2 ** Math.min(this.#failures - 1, 6));
    this.#logger.warn({ err: describeError(error), retryInMs: delay }, "Watch failed; relisting");
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
