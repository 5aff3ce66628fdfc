// client-node's Watch, handing ListWatch only what the cache keeps of each watched object, so the
// full object is garbage as soon as the event is read. Errors and bookmarks pass through: ListWatch
// reads their code and resource version.
import { Watch, type KubeConfig } from "@kubernetes/client-node";
import type { Keep } from "./keep.ts";

type WatchCallback = (phase: string, apiObj: unknown, watchObj?: unknown) => void;

export class KeepingWatch<T> extends Watch {
  readonly #keep: Keep<T>;
  readonly #refused: (reason: string) => void;

  constructor(config: KubeConfig, keep: Keep<T>, refused: (reason: string) => void) {
    super(config);
    this.#keep = keep;
    this.#refused = refused;
  }

  override watch(path: string, queryParams: Record<string, string | number | boolean | undefined>, callback: WatchCallback, done: (err: unknown) => void): Promise<AbortController> {
    return super.watch(
      path,
      queryParams,
      (phase: string, apiObj: unknown, watchObj?: unknown) => {
        if (phase !== "ADDED" && phase !== "MODIFIED" && phase !== "DELETED") {
          callback(phase, apiObj, watchObj);
          return;
        }
        const kept = this.#keep(apiObj);
        if ("refused" in kept) this.#refused(kept.refused);
        else callback(phase, kept.object, watchObj);
      },
      done,
    );
  }
}
