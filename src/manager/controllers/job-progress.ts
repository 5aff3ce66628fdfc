// A job's progress from its pods, as a pure function: which selected nodes succeeded, failed or
// timed out (pod-deadline.ts), why, in the kubelet's words where it gave any (pod-trouble.ts), and
// the per-node results the remover left in its termination message.
import type { CachedPod } from "../cached-objects.ts";
import { parseNodeResult, type NodeResult } from "../../api/node-result.ts";
import { containerNames } from "../../api/worker-contract.ts";
import { createdMs, unfinishedVerdict, type PodBounds } from "./pod-deadline.ts";
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
  unjudged: number;
  /** When the next running pod times out (ms since epoch), if any runs. */
  nextTimeoutMs: number | undefined;
}

function removerState(pod: CachedPod): { exitCode: number; message: string } | undefined {
  const status = pod.status?.containerStatuses?.find((s) => s.name === containerNames.remover);
  const terminated = status?.state?.terminated;
  return terminated === undefined ? undefined : { exitCode: terminated.exitCode, message: terminated.message ?? "" };
}

function readResult(remover: ReturnType<typeof removerState>): ReturnType<typeof parseNodeResult> | undefined {
  return remover === undefined || remover.message === "" ? undefined : parseNodeResult(remover.message);
}

function addResult(p: JobProgress, result: ReturnType<typeof parseNodeResult> | undefined): void {
  if (result?.ok !== true) return;
  p.removed += result.result.removed;
  p.removedBytes += result.result.removedBytes;
  p.vulnerable += result.result.vulnerable;
  p.scanned += result.result.scanned;
  p.scansReused += result.result.scansReused;
  p.unjudged += result.result.unjudged;
}

/** A remover that ran to its end but could not remove some images: how many, and the first reason. */
function failedRemovals(result: NodeResult): string {
  const first = result.failures[0];
  const example = first === undefined ? "" : `; the first: ${first.image}: ${first.reason}`;
  return `${result.failed} of ${result.removed + result.failed} removals failed${example}`;
}

function failureReason(pod: CachedPod, remover: ReturnType<typeof removerState>, result: ReturnType<typeof parseNodeResult> | undefined): string {
  const trouble = podTrouble(pod);
  const cause = trouble === undefined ? "" : `: ${trouble.text}`;
  if (result?.ok === true && result.result.error !== undefined) return `${result.result.error}${cause}`;
  if (result?.ok === true && result.result.failed > 0) return `${failedRemovals(result.result)}${cause}`;
  const detail = result?.ok === false ? ` (${result.reason})` : "";
  return `worker exited ${remover?.exitCode ?? "abnormally"}${detail}${cause}`;
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

/** The per-node result in a finished pod's termination message, if it left one the manager reads. */
export function podResult(pod: CachedPod): NodeResult | undefined {
  const result = readResult(removerState(pod));
  return result?.ok === true ? result.result : undefined;
}

/** Why a Failed pod's node failed, as the job's status lists it. */
export function failedPodReason(pod: CachedPod): string {
  const remover = removerState(pod);
  return failureReason(pod, remover, readResult(remover));
}

/** `pods`: the job's pods, one per node (see onePodPerNode). */
export function jobProgress(pods: readonly CachedPod[], nowMs: number, bounds: PodBounds): JobProgress {
  const p: JobProgress = { succeeded: 0, failed: 0, running: 0, failures: [], removed: 0, removedBytes: 0, vulnerable: 0, scanned: 0, scansReused: 0, unjudged: 0, nextTimeoutMs: undefined };
  for (const pod of pods) {
    const remover = removerState(pod);
    const result = readResult(remover);
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

/** Counts nodes that failed with no pod to show it (refused, given up on), after those whose pods ran. */
export function addNodeFailures(progress: JobProgress, failures: readonly NodeFailure[]): JobProgress {
  return { ...progress, failed: progress.failed + failures.length, failures: [...progress.failures, ...failures] };
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
