// A job's failed nodes as they happen, not only when the job ends: a run with the scanner can last
// hours (ADR 0012), and a user watching `kubectl get events` or the job's status should see a node
// fail when it fails. Each node is announced once: the status lists the first 50 failures (those
// already listed were announced, even by a manager that has since restarted), and this memory
// covers the moment between a status patch and the cache showing it.
import { maxFailedNodesListed } from "../../api/imagejob.ts";
import type { NodeFailure } from "./job-progress.ts";

/** At most this many NodeFailed Events per pass; the job's status lists the rest. */
const maxAnnouncedPerPass = 10;

export class FailedNodes {
  readonly #announced = new Map<string, Set<string>>();

  /**
   * The failures the status should list, and those of them to announce now (not listed in the
   * status before, nor announced by this manager).
   */
  update(job: string, listedBefore: readonly NodeFailure[] | undefined, failures: readonly NodeFailure[]): { listed: NodeFailure[]; fresh: NodeFailure[] } {
    const listed = failures.slice(0, maxFailedNodesListed);
    const announced = this.#announced.get(job) ?? new Set<string>();
    this.#announced.set(job, announced);
    for (const f of listedBefore ?? []) announced.add(f.node);
    const fresh = listed.filter((f) => !announced.has(f.node)).slice(0, maxAnnouncedPerPass);
    for (const f of fresh) announced.add(f.node);
    return { listed, fresh };
  }

  forget(job: string): void {
    this.#announced.delete(job);
  }
}
