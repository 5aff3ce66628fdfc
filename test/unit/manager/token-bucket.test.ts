import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { TokenBucket } from "../../../src/manager/token-bucket.ts";

describe("token bucket", () => {
  test("a burst, then qps tokens a second, never more than the burst saved", () => {
    let now = 0;
    const bucket = new TokenBucket(10, 5, { now: () => now });
    let taken = 0;
    while (bucket.tryTake()) taken++;
    assert.equal(taken, 5);
    assert.equal(bucket.waitMs(), 100);
    now += 1000;
    taken = 0;
    while (bucket.tryTake()) taken++;
    assert.equal(taken, 5, "capped at the burst");
    now += 250;
    assert.equal(bucket.tryTake(), true);
    assert.equal(bucket.tryTake(), true);
    assert.equal(bucket.tryTake(), false);
  });
  test("bad settings are refused", () => {
    assert.throws(() => new TokenBucket(0, 1, { now: () => 0 }), /qps > 0/);
  });
});
