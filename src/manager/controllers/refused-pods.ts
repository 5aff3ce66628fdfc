// Worker pods the API server refuses to create (Pod Security admission forbidding hostPath, a
// policy webhook, missing RBAC, an invalid spec). Retrying those never helps: the job retried every
// 2 s forever, stayed Running and recorded PodCreateFailed Events as fast. A refused node now
// counts as failed with the API server's words; a restarted manager tries once more and learns
// the same. Errors that may pass (a timeout, 429, 5xx, no answer) are still retried.
import { statusCode } from "../../k8s/errors.ts";
import type { JobProgress } from "./job-progress.ts";

/** Statuses that say the request itself is refused, not that the server could not take it now. */
const refusedStatuses = new Set([400, 403, 404, 422]);

export function isRefusal(error: unknown): boolean {
  const code = statusCode(error);
  return code !== undefined && refusedStatuses.has(code);
}

export class RefusedPods {
  readonly #byJob = new Map<string, Map<string, string>>();

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
  }
}

/** Counts each refused node as failed, after the nodes whose pods ran. */
export function addRefused(progress: JobProgress, refused: ReadonlyMap<string, string>): JobProgress {
  const failures = [...refused].map(([node, reason]) => ({ node, reason: `its worker pod could not be created: ${reason}` }));
  return { ...progress, failed: progress.failed + failures.length, failures: [...progress.failures, ...failures] };
}
