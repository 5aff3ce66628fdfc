// client-node's Watch, handing ListWatch only what the cache keeps of each watched object, so the
// full object is garbage as soon as the event is read. Errors and bookmarks pass through: ListWatch
// reads their code and resource version. It also says when a watch was accepted: after a failure,
// ListWatch watches again from the cache's resource version without listing, and an accepted
// watch is then what makes the cache current again (informer.ts).
import { Watch, type KubeConfig, type KubernetesObject } from "@kubernetes/client-node";
import { keepReporting, type Keep, type KeepProblem } from "./keep.ts";

type WatchCallback = (phase: string, apiObj: unknown, watchObj?: unknown) => void;

export class KeepingWatch<T extends KubernetesObject> extends Watch {
  readonly #keep: Keep<T>;
  readonly #report: (problem: KeepProblem) => void;
  readonly #accepted: () => void;

  constructor(config: KubeConfig, keep: Keep<T>, report: (problem: KeepProblem) => void, accepted: () => void = () => undefined) {
    super(config);
    this.#keep = keep;
    this.#report = report;
    this.#accepted = accepted;
  }

  override async watch(path: string, queryParams: Record<string, string | number | boolean | undefined>, callback: WatchCallback, done: (err: unknown) => void): Promise<AbortController> {
    // client-node's watch() resolves either way; a refused or failed request has called `done`
    // with its error by then.
    const request = { failed: false };
    const controller = await super.watch(
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
      (err: unknown) => {
        if (err !== null && err !== undefined) request.failed = true;
        done(err);
      },
    );
    if (!request.failed) this.#accepted();
    return controller;
  }
}
