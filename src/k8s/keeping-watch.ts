// client-node's Watch, handing ListWatch only what the cache keeps of each watched object, so the
// full object is garbage as soon as the event is read. Errors and bookmarks pass through: ListWatch
// reads their code and resource version.
import { Watch, type KubeConfig, type KubernetesObject } from "@kubernetes/client-node";
import { keepReporting, type Keep, type KeepProblem } from "./keep.ts";

type WatchCallback = (phase: string, apiObj: unknown, watchObj?: unknown) => void;

export class KeepingWatch<T extends KubernetesObject> extends Watch {
  readonly #keep: Keep<T>;
  readonly #report: (problem: KeepProblem) => void;

  constructor(config: KubeConfig, keep: Keep<T>, report: (problem: KeepProblem) => void) {
    super(config);
    this.#keep = keep;
    this.#report = report;
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
        const kept = keepReporting(this.#keep, apiObj, this.#report);
        if (kept !== undefined) callback(phase, kept, watchObj);
      },
      done,
    );
  }
}
