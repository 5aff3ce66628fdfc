// Manual and automatic jobs never run at the same time (so never on the same node): a new job
// starts only when no ImageJob is running. Jobs this process just created count as running until
// the cache has had an event for them (30 s at most). Before, only a look at the cache cleared
// them, so a job created, finished and deleted before the next look held the next job back for
// the rest of the 30 s. Manual lists go first: the scheduler also waits while one is pending.
import type { ClusterState } from "../cluster-state.ts";
import type { Clock } from "../clock.ts";

const recentTtlMs = 30_000;

export class JobGate {
  readonly #state: Pick<ClusterState, "imageJob" | "allImageJobs">;
  readonly #clock: Clock;
  readonly #recent = new Map<string, number>();

  constructor(state: Pick<ClusterState, "imageJob" | "allImageJobs">, clock: Clock) {
    this.#state = state;
    this.#clock = clock;
  }

  /** The running job's name, if any runs. */
  running(): string | undefined {
    const now = this.#clock.now();
    for (const [name, at] of this.#recent) if (now - at > recentTtlMs || this.#state.imageJob(name) !== undefined) this.#recent.delete(name);
    const running = this.#state.allImageJobs().find((j) => j.metadata.deletionTimestamp === undefined && (j.status?.phase === undefined || j.status.phase === "Running"));
    return running?.metadata.name ?? this.#recent.keys().next().value;
  }

  started(name: string): void {
    this.#recent.set(name, this.#clock.now());
  }

  /** The cache has had an event for the job `name`: from now on it speaks for it. */
  observed(name: string): void {
    this.#recent.delete(name);
  }
}
