// What the kubelet says is wrong with a worker pod, in words a user can act on. A node's failure
// reason was "worker exited 137" or "did not finish within 600 s (Pending)", and the cause (an image
// that cannot be pulled, an OOM kill, an eviction) was left for `kubectl describe` on a pod that
// goes with the job. Pure: it reads only the cached pod (keepPod keeps these fields).
import type { CachedPod } from "../cached-objects.ts";
import { containerNames } from "../../api/worker-contract.ts";

export interface PodTrouble {
  text: string;
  /** The pod can never run as it is: count its node failed now, not at the pod timeout. */
  hopeless: boolean;
}

/** Waiting reasons the kubelet never retries its way out of (pkg/kubelet/images). */
const hopelessReasons = new Set(["InvalidImageName", "ErrImageNeverPull"]);
/** Waiting reasons of a container on its normal way to running. */
const onTheWay = new Set(["ContainerCreating", "PodInitializing"]);
/** Terminated reasons that say nothing the worker's own result does not say better. */
const ordinaryEnds = new Set(["Completed", "Error"]);

/** The config section that sizes each container, for the advice after an OOM kill. */
const componentOf: Readonly<Record<string, string>> = {
  [containerNames.collector]: "collector",
  [containerNames.scanner]: "scanner",
  [containerNames.remover]: "remover",
};

const maxMessage = 300;
const clip = (s: string): string => (s.length > maxMessage ? `${s.slice(0, maxMessage)}…` : s);
const withMessage = (reason: string, message: string | undefined): string =>
  message === undefined || message === "" ? reason : `${reason}: ${clip(message.trim())}`;

type ContainerStatus = NonNullable<NonNullable<CachedPod["status"]>["containerStatuses"]>[number];

function containerTrouble(status: ContainerStatus): PodTrouble | undefined {
  const waiting = status.state?.waiting;
  if (waiting?.reason !== undefined && !onTheWay.has(waiting.reason)) {
    return { text: `container ${status.name} cannot start (${withMessage(waiting.reason, waiting.message)})`, hopeless: hopelessReasons.has(waiting.reason) };
  }
  const ended = status.state?.terminated;
  if (ended?.reason === "OOMKilled") {
    const component = componentOf[status.name];
    const advice = component === undefined ? "" : `; its limit is components.${component}.limit.memory`;
    return { text: `container ${status.name} ran out of memory (OOMKilled, exit ${ended.exitCode}${advice})`, hopeless: false };
  }
  if (ended?.reason !== undefined && !ordinaryEnds.has(ended.reason)) {
    return { text: `container ${status.name} ended with ${ended.reason} (exit ${ended.exitCode})`, hopeless: false };
  }
  return undefined;
}

function pendingText(containers: readonly ContainerStatus[]): string {
  if (containers.length === 0) return "the node's kubelet has reported no container of it (is the node NotReady?)";
  return "its containers are still being created (a volume that cannot be mounted? see the pod's events)";
}

/**
 * What is wrong with `pod`, if the kubelet says: an eviction or admission refusal on the pod, then
 * each container that cannot start or was killed. A pod still Pending for no such reason is named
 * too: it is what a NotReady node or a volume that cannot be mounted looks like.
 */
export function podTrouble(pod: CachedPod): PodTrouble | undefined {
  const status = pod.status;
  const containers = status?.containerStatuses ?? [];
  const found = containers.map(containerTrouble).filter((t) => t !== undefined);
  if (status?.reason !== undefined) found.unshift({ text: `pod ${withMessage(status.reason, status.message)}`, hopeless: false });
  // The manager deletes a job's pods only once the job has ended: this was someone else. A live
  // kubelet stops the containers (exit 143, or 137 past the grace period) and reports the pod
  // Failed before it goes.
  if (pod.metadata.deletionTimestamp !== undefined) found.unshift({ text: "the pod was deleted while it ran (kubectl delete pod, a drain?)", hopeless: false });
  if (found.length === 0 && (status?.phase ?? "Pending") === "Pending") found.push({ text: pendingText(containers), hopeless: false });
  if (found.length === 0) return undefined;
  return { text: found.map((t) => t.text).join("; "), hopeless: found.some((t) => t.hopeless) };
}
