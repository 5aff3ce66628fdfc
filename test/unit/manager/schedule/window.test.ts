import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { compileWindow } from "../../../../src/manager/schedule/window.ts";

const at = (text: string): number => Date.parse(text);
const iso = (ms: number): string => new Date(ms).toISOString();
const hour = 3_600_000;

describe("maintenance window", () => {
  const nightly = compileWindow({ start: "22:00", durationMs: 4 * hour, timeZone: "UTC" });

  test("edges: opens at start, closed at start + duration", () => {
    assert.equal(nightly.contains(at("2026-11-23T21:59:59Z")), false);
    assert.equal(nightly.contains(at("2026-11-23T22:00:00Z")), true);
    assert.equal(nightly.contains(at("2026-11-24T01:59:59Z")), true, "crosses midnight");
    assert.equal(nightly.contains(at("2026-11-24T02:00:00Z")), false);
  });

  test("a due time outside the window moves to the next opening; inside stays", () => {
    assert.equal(iso(nightly.nextOpenAt(at("2026-11-23T12:00:00Z"))), "2026-11-23T22:00:00.000Z");
    assert.equal(iso(nightly.nextOpenAt(at("2026-11-24T02:00:00Z"))), "2026-11-24T22:00:00.000Z");
    assert.equal(iso(nightly.nextOpenAt(at("2026-11-24T01:00:00Z"))), "2026-11-24T01:00:00.000Z");
  });

  test("weekdays and time zones", () => {
    const weekend = compileWindow({ start: "03:00", durationMs: 2 * hour, timeZone: "Europe/Berlin", days: [0, 6] });
    // Monday 2026-11-23 -> Saturday 2026-11-28 03:00 Berlin = 02:00 UTC.
    assert.equal(iso(weekend.nextOpenAt(at("2026-11-23T10:00:00Z"))), "2026-11-28T02:00:00.000Z");
    assert.equal(weekend.contains(at("2026-11-29T03:30:00Z")), true, "Sunday 04:30 Berlin");
    assert.equal(weekend.contains(at("2026-11-30T02:30:00Z")), false, "Monday");
  });

  test("bad specs are refused with the reason", () => {
    assert.throws(() => compileWindow({ start: "25:00", durationMs: hour, timeZone: "UTC" }), /not HH:MM/);
    assert.throws(() => compileWindow({ start: "01:00", durationMs: 0, timeZone: "UTC" }), /duration/);
    assert.throws(() => compileWindow({ start: "01:00", durationMs: hour, timeZone: "X/Y" }), /unknown time zone/);
  });
});
