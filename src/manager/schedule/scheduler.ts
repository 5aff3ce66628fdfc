// The automatic-mode scheduler: one `tick` reads the schedule state from the cluster, decides,
// maybe starts a job, writes the state back, and says when to look again. Nothing lives only in
// memory, so a restarted or newly elected manager picks up the same clock.
import type { Logger } from "../../observability/logger.ts";
import { computeNextRun, type SchedulePolicy } from "./next-run.ts";
import { automaticJobName, type StoredSchedule } from "./state-codec.ts";

export interface ScheduleStore {
  load(): Promise<StoredSchedule>;
  save(stored: StoredSchedule): Promise<void>;
}

export type JobState = "running" | "finished" | "absent";

export interface AutomaticJobs {
  /** Whether any ImageJob (manual or automatic) is running: they never overlap on a node. */
  anyJobRunning(): Promise<boolean>;
  stateOf(name: string): Promise<JobState>;
  /** Idempotent: an existing job of that name is not an error. */
  createAutomaticJob(name: string): Promise<"created" | "exists">;
}

export interface SchedulerDeps {
  store: ScheduleStore;
  jobs: AutomaticJobs;
  now: () => number;
  /** The current policy, or undefined when automatic mode is off (no collector, no scanner). */
  policy: () => SchedulePolicy | undefined;
  logger: Logger;
  /** How often to look again while a job runs (job events wake the scheduler sooner). */
  pollMs?: number;
}

export class AutomaticScheduler {
  readonly #deps: SchedulerDeps;
  readonly #pollMs: number;

  constructor(deps: SchedulerDeps) {
    this.#deps = deps;
    this.#pollMs = deps.pollMs ?? 30_000;
  }

  /** Runs one decision; returns the delay in ms before the next tick. */
  async tick(): Promise<number> {
    const { store, jobs, logger } = this.#deps;
    const policy = this.#deps.policy();
    if (policy === undefined) return this.#pollMs;
    const now = this.#deps.now();
    const stored = await this.#recordHistory(await store.load(), now);
    const running = (await jobs.anyJobRunning()) || (await this.#lastJobRunning(stored));
    const next = computeNextRun(policy, stored.state, now, running);
    if (next.kind === "wait-for-running-job") return this.#pollMs;
    if (next.atMs > now) {
      logger.debug({ nextRun: new Date(next.atMs).toISOString(), reason: next.reason }, "Next automatic run scheduled");
      return Math.min(next.atMs - now, 2_147_000_000);
    }
    const name = automaticJobName(next.atMs);
    const outcome = await jobs.createAutomaticJob(name);
    const { lastFinishedMs: _previousEnd, ...history } = stored.state;
    await store.save({ state: { ...history, lastScheduledMs: next.atMs, lastStartedMs: now }, lastJob: name });
    logger.info({ job: name, reason: next.reason, outcome }, "Started automatic run");
    return this.#pollMs;
  }

  /** Fills in what the cluster can tell: the clock's origin, and the end of the last run. */
  async #recordHistory(stored: StoredSchedule, now: number): Promise<StoredSchedule> {
    let changed: StoredSchedule | undefined;
    if (stored.state.firstSeenMs === undefined) {
      changed = { ...stored, state: { ...stored.state, firstSeenMs: now } };
    }
    const current = changed ?? stored;
    if (current.lastJob !== undefined && current.state.lastFinishedMs === undefined) {
      // An absent job (cleaned up while nobody watched) leaves the end unknown: the next run then
      // counts from the last start, which never runs early and never twice.
      if ((await this.#deps.jobs.stateOf(current.lastJob)) === "finished") {
        changed = { ...current, state: { ...current.state, lastFinishedMs: now } };
      }
    }
    if (changed === undefined) return stored;
    await this.#deps.store.save(changed);
    return changed;
  }

  async #lastJobRunning(stored: StoredSchedule): Promise<boolean> {
    if (stored.lastJob === undefined || stored.state.lastFinishedMs !== undefined) return false;
    return (await this.#deps.jobs.stateOf(stored.lastJob)) === "running";
  }
}
