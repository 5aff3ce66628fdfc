import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { automaticJobName, decodeSchedule, encodeSchedule } from "../../../../src/manager/schedule/state-codec.ts";

describe("schedule state in the cluster", () => {
  test("round-trips every field", () => {
    const stored = {
      state: { firstSeenMs: 1_000_000, lastScheduledMs: 2_000_000, lastStartedMs: 2_001_000, lastFinishedMs: 2_500_000 },
      lastJob: "imagejob-auto-abc",
    };
    assert.deepEqual(decodeSchedule(encodeSchedule(stored)), stored);
  });

  test("no ConfigMap data means no history", () => {
    assert.deepEqual(decodeSchedule(undefined), { state: {} });
  });

  test("a corrupt timestamp is an error naming the ConfigMap and the key", () => {
    assert.throws(() => decodeSchedule({ lastStarted: "yesterday" }), /eraser-schedule.*invalid schedule[\s\S]*lastStarted/);
  });

  test("job names are deterministic per scheduled instant, distinct across instants, and DNS-safe", () => {
    const a = automaticJobName(Date.parse("2026-11-23T03:00:00Z"));
    assert.equal(a, automaticJobName(Date.parse("2026-11-23T03:00:00.900Z")));
    assert.notEqual(a, automaticJobName(Date.parse("2026-11-24T03:00:00Z")));
    assert.match(a, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });
});
