// When does the next automatic run start? A pure function of the policy, the schedule state kept
// in the cluster, and the current instant, so a restarted manager reaches the same answer: it
// neither runs twice nor skips a run, and missed runs collapse into one.
import type { CronSchedule } from "./cron.ts";
import type { MaintenanceWindow } from "./window.ts";

export interface SchedulePolicy {
  repeatIntervalMs: number;
  beginImmediately: boolean;
  /** When set, runs follow the cron expression instead of the interval. */
  cron?: CronSchedule;
  /** When set, runs start only inside the window. */
  window?: MaintenanceWindow;
}

/** What the cluster remembers (persisted by the scheduler; never only in memory). */
export interface ScheduleState {
  /** When the scheduler first saw no history: the clock's origin for the first run. */
  firstSeenMs?: number;
  /** The instant the last automatic run was scheduled for (names its job). */
  lastScheduledMs?: number;
  lastStartedMs?: number;
  lastFinishedMs?: number;
}

export type NextRun =
  | { kind: "wait-for-running-job" }
  | { kind: "at"; atMs: number; reason: string };

export function computeNextRun(policy: SchedulePolicy, state: ScheduleState, nowMs: number, jobRunning: boolean): NextRun {
  if (jobRunning) return { kind: "wait-for-running-job" };
  const due = dueTime(policy, state, nowMs);
  const atMs = policy.window === undefined ? due.atMs : policy.window.nextOpenAt(due.atMs);
  const reason = atMs === due.atMs ? due.reason : `${due.reason}, deferred to the maintenance window`;
  return { kind: "at", atMs, reason };
}

function dueTime(policy: SchedulePolicy, state: ScheduleState, nowMs: number): { atMs: number; reason: string } {
  const firstSeenMs = state.firstSeenMs ?? nowMs;
  if (state.lastStartedMs === undefined) {
    if (policy.beginImmediately) return { atMs: firstSeenMs, reason: "first run, beginImmediately" };
    if (policy.cron !== undefined) return cronAfter(policy.cron, firstSeenMs, "first cron time");
    return { atMs: firstSeenMs + policy.repeatIntervalMs, reason: "first run, one interval after start" };
  }
  if (policy.cron !== undefined) return cronAfter(policy.cron, state.lastScheduledMs ?? state.lastStartedMs, "next cron time");
  // The interval runs from the end of the last run; a run whose end was never recorded (manager
  // down while its job was cleaned up) counts from its start, which is never later.
  const fromMs = state.lastFinishedMs ?? state.lastStartedMs;
  return { atMs: fromMs + policy.repeatIntervalMs, reason: "one interval after the last run" };
}

function cronAfter(cron: CronSchedule, afterMs: number, reason: string): { atMs: number; reason: string } {
  const next = cron.next(afterMs);
  if (next === undefined) throw new Error(`cron expression "${cron.expression}" has no fire time in the next five years`);
  return { atMs: next, reason };
}
