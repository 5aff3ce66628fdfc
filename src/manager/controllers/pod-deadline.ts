// When an unfinished worker pod's node counts as failed (ADR 0012). A pod that cannot start or
// finish must not hold its job forever, but a scan may take hours: --pod-timeout bounds a pod's
// start and a pod that does not scan; a running pod with a trivy-scanner gets the scanner's
// timeout.total on top; a pod whose node has not been Ready for --pod-timeout cannot finish at all.
// A pod the kubelet can never run (pod-trouble.ts) fails at once.
import type { CachedPod } from "../cached-objects.ts";
import { containerNames } from "../../api/worker-contract.ts";
import { podTrouble } from "./pod-trouble.ts";

export function createdMs(pod: CachedPod): number {
  const t = pod.metadata.creationTimestamp;
  return t === undefined ? 0 : new Date(t).getTime();
}

/** How long a worker pod may take before its node counts as failed. */
export interface PodBounds {
  /** --pod-timeout: to start, and to finish when the pod does not scan. */
  podTimeoutMs: number;
  /** The scanner's timeout.total: added for a running pod with a trivy-scanner, as a scan may take hours. */
  scanTimeoutMs: number;
  /** A node's Ready condition, if known: a pod on a node not Ready for --pod-timeout cannot finish. */
  readiness?: (node: string) => NodeReadiness | undefined;
}

export interface NodeReadiness {
  /** The Ready condition's status: "True", "False" or "Unknown" (the kubelet stopped reporting). */
  status: string;
  sinceMs: number;
}

/** When a pod on a node that is not Ready counts as failed, and why. */
function lostNode(pod: CachedPod, bounds: PodBounds): { atMs: number; text: string } | undefined {
  const node = pod.spec?.nodeName;
  const ready = node === undefined ? undefined : bounds.readiness?.(node);
  if (ready === undefined || ready.status === "True") return undefined;
  const atMs = Math.max(createdMs(pod), ready.sinceMs) + bounds.podTimeoutMs;
  return { atMs, text: `node ${node} has not been Ready (${ready.status}) since ${new Date(ready.sinceMs).toISOString()}` };
}

function boundMs(pod: CachedPod, bounds: PodBounds): number {
  const scanning = pod.status?.phase === "Running" && (pod.status.containerStatuses ?? []).some((c) => c.name === containerNames.scanner);
  return bounds.podTimeoutMs + (scanning ? bounds.scanTimeoutMs : 0);
}

/** Seconds below an hour, as the flag is usually given; hours and minutes above. */
function spell(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${s} s`;
  const minutes = Math.round(s / 60);
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** Why an unfinished pod's node counts as failed by now, or else when it will at the latest. */
export function unfinishedVerdict(pod: CachedPod, nowMs: number, bounds: PodBounds): { failure: string } | { deadline: number } {
  const name = pod.metadata.name;
  const trouble = podTrouble(pod);
  if (trouble?.hopeless === true) return { failure: `worker pod ${name} can never run: ${trouble.text}` };
  const lost = lostNode(pod, bounds);
  if (lost !== undefined && nowMs >= lost.atMs) return { failure: `worker pod ${name} cannot finish: ${lost.text}` };
  const bound = boundMs(pod, bounds);
  const deadline = Math.min(createdMs(pod) + bound, lost?.atMs ?? Infinity);
  if (nowMs < deadline) return { deadline };
  const cause = trouble === undefined ? "" : `: ${trouble.text}`;
  return { failure: `worker pod ${name} did not finish within ${spell(bound)} (${pod.status?.phase ?? "Pending"})${cause}` };
}
