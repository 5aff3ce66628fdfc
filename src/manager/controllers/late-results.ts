// A node the job counted as failed whose worker pod finishes after all: a lost node whose kubelet
// came back, or a pod that started after --pod-timeout. Its remover re-checked every image before
// removing it, as always, but the job had ended: its totals and phase stay as they were, so that a
// result never changes after it is reported. What the node did is said once, as an Event, so that
// a user reading the job does not think the node removed nothing.
import type { CachedPod } from "../cached-objects.ts";
import { jobProgress } from "./job-progress.ts";

export interface LateResult {
  node: string;
  removed: number;
  removedBytes: number;
}

const noBounds = { podTimeoutMs: Number.POSITIVE_INFINITY, scanTimeoutMs: 0 };

export class LateResults {
  readonly #told = new Map<string, Set<string>>();

  /** `failedNodes`: the nodes the ended job lists as failed. Returns the ones to tell of now. */
  observe(job: string, failedNodes: readonly string[], pods: readonly CachedPod[]): LateResult[] {
    const failed = new Set(failedNodes);
    const told = this.#told.get(job) ?? new Set<string>();
    this.#told.set(job, told);
    const late: LateResult[] = [];
    for (const pod of pods) {
      const node = pod.spec?.nodeName ?? "";
      if (!failed.has(node) || told.has(node) || pod.status?.phase !== "Succeeded") continue;
      told.add(node);
      const { removed, removedBytes } = jobProgress([pod], 0, noBounds);
      late.push({ node, removed, removedBytes });
    }
    return late;
  }

  forget(job: string): void {
    this.#told.delete(job);
  }
}
