import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { decideLease } from "../../../src/manager/leader/lease.ts";

describe("lease decision", () => {
  const now = 100_000;
  test("renew my own, take a free or expired one, wait for a live one", () => {
    assert.equal(decideLease({ holderIdentity: "me", renewTimeMs: now - 1000, leaseDurationSeconds: 15 }, "me", now), "renew");
    assert.equal(decideLease({}, "me", now), "acquire");
    assert.equal(decideLease({ holderIdentity: "" }, "me", now), "acquire");
    assert.equal(decideLease({ holderIdentity: "other", renewTimeMs: now - 16_000, leaseDurationSeconds: 15 }, "me", now), "acquire");
    assert.equal(decideLease({ holderIdentity: "other", renewTimeMs: now - 14_000, leaseDurationSeconds: 15 }, "me", now), "wait");
  });
});
