import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { formatGoDuration, parseGoDuration } from "../../../src/api/duration.ts";
import { parseQuantity } from "../../../src/api/quantity.ts";

describe("Go durations", () => {
  const good: [string, number][] = [
    ["24h", 86_400_000],
    ["1h30m", 5_400_000],
    ["500ms", 500],
    ["0s", 0],
    ["0", 0],
    ["1.5h", 5_400_000],
    ["2h45m30.5s", 9_930_500],
    ["23h", 82_800_000],
    ["168h", 604_800_000],
    ["1000us", 1],
    ["1000000ns", 1],
    ["+5s", 5000],
  ];
  for (const [text, ms] of good) test(`${text} = ${ms} ms`, () => { assert.equal(parseGoDuration(text), ms); });

  const bad = ["", "24", "1d", "-1h", "h", "1h 30m", "1.2.3s", "abc"];
  for (const text of bad) {
    test(`${JSON.stringify(text)} is refused, naming the input`, () => {
      assert.throws(() => parseGoDuration(text), new RegExp(`invalid duration "${text.replace(/[.+]/g, "\\$&")}"`));
    });
  }

  test("formats back the Go way", () => {
    assert.equal(formatGoDuration(86_400_000), "24h");
    assert.equal(formatGoDuration(5_400_000), "1h30m");
    assert.equal(formatGoDuration(500), "500ms");
    assert.equal(formatGoDuration(0), "0s");
  });
});

describe("Kubernetes quantities", () => {
  const good: [string, number][] = [
    ["25Mi", 26_214_400],
    ["2Gi", 2_147_483_648],
    ["500Mi", 524_288_000],
    ["7m", 0.007],
    ["1000m", 1],
    ["1", 1],
    ["0.5", 0.5],
    ["500M", 500_000_000],
    ["1e3", 1000],
    ["1Ki", 1024],
  ];
  for (const [text, value] of good) test(`${text} = ${value}`, () => { assert.equal(parseQuantity(text), value); });

  for (const text of ["", "25MB", "Mi", "-1Gi", "1.2.3", " 1Gi", "ten"]) {
    test(`${JSON.stringify(text)} is refused, naming the input`, () => {
      assert.throws(() => parseQuantity(text), /invalid quantity/);
    });
  }
});
