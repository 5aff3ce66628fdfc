import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { assertTimeZone, instantOfWallTime, wallTimeAt } from "../../../../src/manager/schedule/zoned-time.ts";

describe("zoned time", () => {
  test("reads the wall clock of a zone", () => {
    const wall = wallTimeAt(Date.parse("2026-07-01T12:34:56Z"), "Europe/Berlin");
    assert.deepEqual(wall, { year: 2026, month: 7, day: 1, hour: 14, minute: 34, second: 56, weekday: 3 });
  });

  test("finds the instant of a wall time, both sides of a DST change", () => {
    const wall = { year: 2026, month: 1, day: 15, hour: 3, minute: 0, second: 0 };
    assert.equal(new Date(instantOfWallTime(wall, "Europe/Berlin")).toISOString(), "2026-01-15T02:00:00.000Z");
    const summer = { ...wall, month: 7 };
    assert.equal(new Date(instantOfWallTime(summer, "Europe/Berlin")).toISOString(), "2026-07-15T01:00:00.000Z");
    assert.equal(new Date(instantOfWallTime(summer, "America/New_York")).toISOString(), "2026-07-15T07:00:00.000Z");
  });

  test("an unknown zone is a clear error", () => {
    assert.throws(() => {
      assertTimeZone("Mars/Olympus");
    }, /unknown time zone "Mars\/Olympus"/);
  });
});
