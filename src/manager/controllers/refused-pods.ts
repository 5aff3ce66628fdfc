// Worker pods the API server refuses to create (Pod Security admission forbidding hostPath, a
// policy webhook, missing RBAC, an invalid spec). Retrying those never helps: the job retried every
// 2 s forever, stayed Running and recorded PodCreateFailed Events as fast. A refused node now
// counts as failed with the API server's words; a restarted manager tries once more and learns
// the same. Errors that may pass (a timeout, 429, 5xx such as a webhook that is down, no answer)
// are retried, for --pod-timeout at most: no pod, created or not, holds its job forever.
import { statusCode } from "../../k8s/errors.ts";
import type { NodeFailure } from "./job-progress.ts";

/** Statuses that say the request itself is refused, not that the server could not take it now. */
const refusedStatuses = new Set([400, 403, 404, 422]);

export function isRefusal(error: unknown): boolean {
  const code = statusCode(error);
  return code !== undefined && refusedStatuses.has(code);
}

export class RefusedPods {
  readonly #byJob = new Map<string, Map<string, string>>();
  /** Since when each node's pod creation has been failing with errors that may pass. */
  readonly #failingSince = new Map<string, Map<string, number>>();

  /**
   * A creation that may pass failed. Past `giveUpMs` of such failures the node counts as refused.
   * Returns whether this is the node's first such failure (worth an Event; the retries are not).
   */
  failedForNow(job: string, node: string, reason: string, nowMs: number, giveUpMs: number): boolean {
    const failing = this.#failingSince.get(job) ?? new Map<string, number>();
    this.#failingSince.set(job, failing);
    const since = failing.get(node);
    if (since === undefined) failing.set(node, nowMs);
    const forMs = nowMs - (since ?? nowMs);
    if (forMs >= giveUpMs) this.record(job, node, `${reason} (pod creation failing for ${Math.round(forMs / 1000)} s)`);
    return since === undefined;
  }

  /** Nodes whose pod now exists: an earlier failure no longer counts against them. */
  settle(job: string, withPods: ReadonlySet<string>): void {
    const failing = this.#failingSince.get(job);
    for (const node of withPods) failing?.delete(node);
  }

  record(job: string, node: string, reason: string): void {
    const refused = this.#byJob.get(job) ?? new Map<string, string>();
    refused.set(node, reason);
    this.#byJob.set(job, refused);
  }

  /** The job's refused nodes, with the API server's reason. */
  of(job: string): ReadonlyMap<string, string> {
    return this.#byJob.get(job) ?? new Map<string, string>();
  }

  forget(job: string): void {
    this.#byJob.delete(job);
    this.#failingSince.delete(job);
  }
}

/** Each refused node as a failure, with the API server's reason. */
export function refusedFailures(refused: ReadonlyMap<string, string>): NodeFailure[] {
  return [...refused].map(([node, reason]) => ({ node, reason: `its worker pod could not be created: ${reason}` }));
}
