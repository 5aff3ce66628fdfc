import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { computeNextRun, type SchedulePolicy, type ScheduleState } from "../../../../src/manager/schedule/next-run.ts";
import { compileCron } from "../../../../src/manager/schedule/cron.ts";
import { compileWindow } from "../../../../src/manager/schedule/window.ts";

const hour = 3_600_000;
const t0 = Date.parse("2026-11-23T00:00:00Z");
const iso = (ms: number): string => new Date(ms).toISOString();
const interval = (beginImmediately: boolean): SchedulePolicy => ({ repeatIntervalMs: 24 * hour, beginImmediately });

function nextAt(policy: SchedulePolicy, state: ScheduleState, now: number): string {
  const next = computeNextRun(policy, state, now, false);
  if (next.kind !== "at") assert.fail(`expected a run time, got ${next.kind}`);
  return iso(next.atMs);
}

describe("next automatic run", () => {
  test("first run: immediately with beginImmediately, else one interval after first start", () => {
    assert.equal(nextAt(interval(true), { firstSeenMs: t0 }, t0), iso(t0));
    assert.equal(nextAt(interval(false), { firstSeenMs: t0 }, t0), iso(t0 + 24 * hour));
  });

  test("a restart before the first run keeps the original clock (firstSeen lives in the cluster)", () => {
    assert.equal(nextAt(interval(false), { firstSeenMs: t0 }, t0 + 5 * hour), iso(t0 + 24 * hour));
  });

  test("next run is one interval after the last run's end, not its start", () => {
    const state = { firstSeenMs: t0, lastStartedMs: t0, lastFinishedMs: t0 + 2 * hour };
    assert.equal(nextAt(interval(true), state, t0 + 3 * hour), iso(t0 + 26 * hour));
  });

  test("a run whose end was never recorded counts from its start", () => {
    assert.equal(nextAt(interval(true), { firstSeenMs: t0, lastStartedMs: t0 }, t0 + hour), iso(t0 + 24 * hour));
  });

  test("restart long after a missed run: one run now-ish (due in the past), not one per missed interval", () => {
    const state = { firstSeenMs: t0, lastStartedMs: t0, lastFinishedMs: t0 + hour };
    const now = t0 + 100 * hour;
    const next = computeNextRun(interval(true), state, now, false);
    assert.ok(next.kind === "at" && next.atMs <= now, "due already: the scheduler runs once at once");
  });

  test("while a job runs, nothing new is scheduled", () => {
    assert.deepEqual(computeNextRun(interval(true), { firstSeenMs: t0 }, t0, true), { kind: "wait-for-running-job" });
  });

  test("cron with a time zone: next fire after the last scheduled time", () => {
    const policy = { ...interval(false), cron: compileCron("0 3 * * *", "Europe/Berlin") };
    assert.equal(nextAt(policy, { firstSeenMs: t0 }, t0), "2026-11-23T02:00:00.000Z");
    const state = { firstSeenMs: t0, lastScheduledMs: Date.parse("2026-11-23T02:00:00Z"), lastStartedMs: t0 + 2 * hour };
    assert.equal(nextAt(policy, state, t0 + 3 * hour), "2026-11-24T02:00:00.000Z");
  });

  test("a maintenance window defers a due run to its opening, and says so", () => {
    const policy = { ...interval(true), window: compileWindow({ start: "22:00", durationMs: 4 * hour, timeZone: "UTC" }) };
    const next = computeNextRun(policy, { firstSeenMs: t0 + 12 * hour }, t0 + 12 * hour, false);
    assert.deepEqual(next, {
      kind: "at",
      atMs: t0 + 22 * hour,
      reason: "first run, beginImmediately, deferred to the maintenance window",
    });
    assert.equal(nextAt(policy, { firstSeenMs: t0 + 23 * hour }, t0 + 23 * hour), iso(t0 + 23 * hour), "inside: at once");
  });
});
