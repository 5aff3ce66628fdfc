// Worker pods deleted while their job runs and their node stays: `kubectl delete pod` (often to
// retry a stuck one), a forced drain, a policy controller, or the pod garbage collector of a
// cluster past --terminated-pod-gc-threshold (12,500 finished pods by default). Before, the
// manager made a new pod each time, with a fresh pod timeout: a pod deleted over and over held
// its job forever, and a finished pod that was deleted ran its node again and lost its result.
// Now a finished pod's outcome outlives its deletion, and a node whose unfinished pod is deleted
// gets one more pod; after a second deletion it counts as failed and gets no more. A cordoned
// node whose pod is deleted is being drained, on its way out of the cluster (an upgrade, a
// scale-down): it counts as skipped, as a node that left does (ADR 0011).
import type { CachedPod } from "../cached-objects.ts";
import type { SavedLedger } from "./deleted-pods-record.ts";
import type { NodeFailure } from "./job-progress.ts";

/** Deletions of a node's unfinished pods after which it gets no new pod. */
export const maxDeletions = 2;

interface Ledger {
  /** The last pod seen for each node. */
  seen: Map<string, CachedPod>;
  /** Finished pods deleted since: their outcome still counts. */
  finished: Map<string, CachedPod>;
  deletions: Map<string, number>;
  /** Nodes given up on. */
  abandoned: NodeFailure[];
  /** Cordoned nodes whose pod was deleted before it succeeded. */
  drained: Set<string>;
  /** Grows with every change, for the store to know what it has written (deleted-pods-store.ts). */
  version: number;
}

/** What the node cache says of a job's node. */
export interface NodeView {
  has(name: string): boolean;
  cordoned(name: string): boolean;
}

export interface Observed {
  /** The pods to count: the cache's, and finished ones deleted since. */
  pods: CachedPod[];
  /** Nodes that get no new pod because theirs were deleted too often, and why. */
  abandoned: readonly NodeFailure[];
  /** Nodes whose unfinished pod was deleted in this pass: they get another one. */
  deletedOnce: string[];
  /** Nodes being drained (cordoned, their pod deleted before it succeeded): skipped, no new pod. */
  drained: ReadonlySet<string>;
}

const nodeOf = (pod: CachedPod): string => pod.spec?.nodeName ?? "";
const abandonedReason = (count: number): string =>
  `its worker pod was deleted before it finished, ${count} times (not by eraser-ts: kubectl delete pod, a drain, a policy controller?); no new pod is made`;
const isFinished = (pod: CachedPod): boolean => pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";
const isBeingDeleted = (pod: CachedPod): boolean => pod.metadata.deletionTimestamp !== undefined && pod.status?.phase !== "Succeeded";

export class DeletedPods {
  readonly #byJob = new Map<string, Ledger>();

  /**
   * `pods`: the job's pods in the cache, one per node. `pending`: nodes whose new pod the cache
   * does not show yet. A pod that vanished with its node is the garbage collector's doing, not a
   * deletion (gone-nodes.ts counts that node).
   */
  observe(job: string, pods: readonly CachedPod[], pending: ReadonlySet<string>, nodes: NodeView): Observed {
    const ledger = this.#ledger(job);
    const current = new Set(pods.map(nodeOf));
    const deletedOnce: string[] = [];
    for (const [node, last] of ledger.seen) {
      if (current.has(node) || pending.has(node)) continue;
      ledger.seen.delete(node);
      this.#vanished(ledger, last, nodes, deletedOnce);
    }
    for (const pod of pods) {
      ledger.seen.set(nodeOf(pod), pod);
      if (isBeingDeleted(pod) && nodes.cordoned(nodeOf(pod))) this.#drain(ledger, nodeOf(pod));
    }
    const kept = [...ledger.finished].filter(([node]) => !current.has(node)).map(([, pod]) => pod);
    const counted = [...pods, ...kept].filter((pod) => !ledger.drained.has(nodeOf(pod)));
    return { pods: counted, abandoned: ledger.abandoned, deletedOnce, drained: ledger.drained };
  }

  forget(job: string): void {
    this.#byJob.delete(job);
  }

  /** The jobs it holds a ledger for. */
  jobs(): string[] {
    return [...this.#byJob.keys()];
  }

  /** Grows with every change to what `saved` returns. */
  version(job: string): number {
    return this.#ledger(job).version;
  }

  /** What a restarted manager needs to know of `job`'s deletions. */
  saved(job: string): SavedLedger {
    const ledger = this.#ledger(job);
    return { finished: [...ledger.finished.values()], deletions: new Map(ledger.deletions), drained: [...ledger.drained] };
  }

  /** Takes back what an earlier manager saw, before this one observes the job for the first time. */
  restore(job: string, saved: SavedLedger): void {
    const ledger = this.#ledger(job);
    for (const pod of saved.finished) if (!ledger.finished.has(nodeOf(pod))) ledger.finished.set(nodeOf(pod), pod);
    for (const [node, count] of saved.deletions) {
      if (count <= (ledger.deletions.get(node) ?? 0)) continue;
      ledger.deletions.set(node, count);
      if (count >= maxDeletions) ledger.abandoned.push({ node, reason: abandonedReason(count) });
    }
    for (const node of saved.drained) ledger.drained.add(node);
  }

  #drain(ledger: Ledger, node: string): void {
    if (ledger.drained.has(node)) return;
    ledger.drained.add(node);
    ledger.version++;
  }

  /** `last`, the last pod seen on its node, is no longer in the cache. */
  #vanished(ledger: Ledger, last: CachedPod, nodes: NodeView, deletedOnce: string[]): void {
    const node = nodeOf(last);
    const present = nodes.has(node);
    if (present && nodes.cordoned(node) && (isBeingDeleted(last) || !isFinished(last))) this.#drain(ledger, node);
    else if (isFinished(last)) {
      ledger.finished.set(node, last);
      ledger.version++;
    } else if (present) this.#countDeletion(ledger, node, deletedOnce);
  }

  #countDeletion(ledger: Ledger, node: string, deletedOnce: string[]): void {
    const count = (ledger.deletions.get(node) ?? 0) + 1;
    ledger.deletions.set(node, count);
    ledger.version++;
    if (count < maxDeletions) {
      deletedOnce.push(node);
      return;
    }
    ledger.abandoned.push({ node, reason: abandonedReason(count) });
  }

  #ledger(job: string): Ledger {
    let ledger = this.#byJob.get(job);
    if (ledger === undefined) {
      ledger = { seen: new Map(), finished: new Map(), deletions: new Map(), abandoned: [], drained: new Set(), version: 0 };
      this.#byJob.set(job, ledger);
    }
    return ledger;
  }
}
