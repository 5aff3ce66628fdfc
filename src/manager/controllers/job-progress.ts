// A job's progress from its pods, as a pure function: which selected nodes succeeded, failed or
// timed out (a pod that cannot start or finish must not hold the job forever, and one still
// scanning is given the scanner's own time limit on top), why, in the kubelet's
// words where it gave any, and the per-node results the remover left in its termination message.
import type { CachedPod } from "../cached-objects.ts";
import { parseNodeResult } from "../../api/node-result.ts";
import { containerNames } from "../../api/worker-contract.ts";
import { podTrouble } from "./pod-trouble.ts";

export interface NodeFailure {
  node: string;
  reason: string;
}

export interface JobProgress {
  succeeded: number;
  failed: number;
  running: number;
  failures: NodeFailure[];
  removed: number;
  removedBytes: number;
  vulnerable: number;
  scanned: number;
  scansReused: number;
  /** When the next running pod times out (ms since epoch), if any runs. */
  nextTimeoutMs: number | undefined;
}

function removerState(pod: CachedPod): { exitCode: number; message: string } | undefined {
  const status = pod.status?.containerStatuses?.find((s) => s.name === containerNames.remover);
  const terminated = status?.state?.terminated;
  return terminated === undefined ? undefined : { exitCode: terminated.exitCode, message: terminated.message ?? "" };
}

function createdMs(pod: CachedPod): number {
  const t = pod.metadata.creationTimestamp;
  return t === undefined ? 0 : new Date(t).getTime();
}

function addResult(p: JobProgress, result: ReturnType<typeof parseNodeResult> | undefined): void {
  if (result?.ok !== true) return;
  p.removed += result.result.removed;
  p.removedBytes += result.result.removedBytes;
  p.vulnerable += result.result.vulnerable;
  p.scanned += result.result.scanned;
  p.scansReused += result.result.scansReused;
}

function failureReason(pod: CachedPod, remover: ReturnType<typeof removerState>, result: ReturnType<typeof parseNodeResult> | undefined): string {
  const trouble = podTrouble(pod);
  const cause = trouble === undefined ? "" : `: ${trouble.text}`;
  if (result?.ok === true && result.result.error !== undefined) return `${result.result.error}${cause}`;
  const detail = result?.ok === false ? ` (${result.reason})` : "";
  return `worker exited ${remover?.exitCode ?? "abnormally"}${detail}${cause}`;
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
function unfinishedVerdict(pod: CachedPod, nowMs: number, bounds: PodBounds): { failure: string } | { deadline: number } {
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

function addUnfinished(p: JobProgress, pod: CachedPod, nowMs: number, bounds: PodBounds): void {
  const verdict = unfinishedVerdict(pod, nowMs, bounds);
  if ("deadline" in verdict) {
    p.running++;
    p.nextTimeoutMs = Math.min(p.nextTimeoutMs ?? verdict.deadline, verdict.deadline);
    return;
  }
  p.failed++;
  p.failures.push({ node: pod.spec?.nodeName ?? "?", reason: verdict.failure });
}

/** `pods`: the job's pods, one per node (see onePodPerNode). */
export function jobProgress(pods: readonly CachedPod[], nowMs: number, bounds: PodBounds): JobProgress {
  const p: JobProgress = { succeeded: 0, failed: 0, running: 0, failures: [], removed: 0, removedBytes: 0, vulnerable: 0, scanned: 0, scansReused: 0, nextTimeoutMs: undefined };
  for (const pod of pods) {
    const remover = removerState(pod);
    const result = remover === undefined || remover.message === "" ? undefined : parseNodeResult(remover.message);
    addResult(p, result);
    const phase = pod.status?.phase;
    if (phase === "Succeeded") p.succeeded++;
    else if (phase === "Failed") {
      p.failed++;
      p.failures.push({ node: pod.spec?.nodeName ?? "?", reason: failureReason(pod, remover, result) });
    } else addUnfinished(p, pod, nowMs, bounds);
  }
  return p;
}

/** One pod per node: the oldest wins, so a duplicate can never double-count a node. */
export function onePodPerNode(pods: readonly CachedPod[]): CachedPod[] {
  const byNode = new Map<string, CachedPod>();
  for (const pod of [...pods].sort((a, b) => createdMs(a) - createdMs(b))) {
    const node = pod.spec?.nodeName;
    if (node !== undefined && !byNode.has(node)) byNode.set(node, pod);
  }
  return [...byNode.values()];
}
