import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { compileCron } from "../../../../src/manager/schedule/cron.ts";

const iso = (ms: number | undefined): string => (ms === undefined ? "none" : new Date(ms).toISOString());

describe("cron next fire time", () => {
  const cases: { expr: string; tz: string; after: string; next: string }[] = [
    { expr: "0 3 * * *", tz: "UTC", after: "2026-11-23T01:00:00Z", next: "2026-11-23T03:00:00.000Z" },
    { expr: "0 3 * * *", tz: "UTC", after: "2026-11-23T03:00:00Z", next: "2026-11-24T03:00:00.000Z" },
    { expr: "0 3 * * *", tz: "Europe/Berlin", after: "2026-11-23T01:00:00Z", next: "2026-11-23T02:00:00.000Z" },
    { expr: "0 3 * * *", tz: "Europe/Berlin", after: "2026-11-23T02:00:00Z", next: "2026-11-24T02:00:00.000Z" },
    { expr: "0 3 * * *", tz: "Asia/Tokyo", after: "2026-11-23T01:00:00Z", next: "2026-11-23T18:00:00.000Z" },
    { expr: "*/15 * * * *", tz: "UTC", after: "2026-11-23T01:07:00Z", next: "2026-11-23T01:15:00.000Z" },
    { expr: "30 2 1 * *", tz: "UTC", after: "2026-11-23T00:00:00Z", next: "2026-12-01T02:30:00.000Z" },
    { expr: "0 0 L * *", tz: "UTC", after: "2026-02-01T00:00:00Z", next: "2026-02-28T00:00:00.000Z" },
    { expr: "0 4 * * SUN", tz: "UTC", after: "2026-11-23T00:00:00Z", next: "2026-11-29T04:00:00.000Z" },
    { expr: "0 4 * * 7", tz: "UTC", after: "2026-11-23T00:00:00Z", next: "2026-11-29T04:00:00.000Z" },
    { expr: "0 0 * * MON-FRI", tz: "UTC", after: "2026-11-27T12:00:00Z", next: "2026-11-30T00:00:00.000Z" },
    { expr: "10 * * * * *", tz: "UTC", after: "2026-11-23T01:00:10Z", next: "2026-11-23T01:01:10.000Z" },
    // 02:30 does not exist in Berlin on 2026-03-29 (clocks jump 02:00 -> 03:00): the next day's.
    { expr: "30 2 * * *", tz: "Europe/Berlin", after: "2026-03-28T23:00:00Z", next: "2026-03-30T00:30:00.000Z" },
  ];
  for (const c of cases) {
    test(`${c.expr} in ${c.tz} after ${c.after}`, () => {
      assert.equal(iso(compileCron(c.expr, c.tz).next(Date.parse(c.after))), c.next);
    });
  }

  test("invalid expressions and zones are refused with the reason", () => {
    assert.throws(() => compileCron("bad"), /invalid cron expression "bad": .*5 or 6 fields/);
    assert.throws(() => compileCron("0 0 31 2 *"), /invalid cron expression "0 0 31 2 \*"/);
    assert.throws(() => compileCron("0 3 * * *", "Nowhere/Town"), /unknown time zone/);
  });
});
