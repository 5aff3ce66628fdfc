// Nodes that leave the cluster during a job (the cluster autoscaler scales a pool down, a node is
// replaced). Their images went with them, so there is nothing left to clean: the job counts them
// as skipped, not failed, and never makes a pod for them again. Before, the job made a new pod for
// a deleted node each time the pod garbage collector removed the last one, and never ended.
import type { CachedPod } from "../cached-objects.ts";

export interface GoneNodes {
  /** The job's nodes that left the cluster before their pod finished. */
  gone: ReadonlySet<string>;
  /** The job's pods, without those of gone nodes. */
  pods: CachedPod[];
}

const finished = (pod: CachedPod): boolean => pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";

/**
 * A node whose pod finished before it left keeps its result (it did run); any other node of
 * `targets` that `hasNode` no longer knows is gone.
 */
export function goneNodes(targets: readonly string[], pods: readonly CachedPod[], hasNode: (name: string) => boolean): GoneNodes {
  const ran = new Set(pods.filter(finished).map((p) => p.spec?.nodeName ?? ""));
  const gone = new Set(targets.filter((n) => !hasNode(n) && !ran.has(n)));
  return { gone, pods: pods.filter((p) => !gone.has(p.spec?.nodeName ?? "")) };
}
