import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { jobPhase, successFraction } from "../../../src/manager/job-phase.ts";

describe("job phase", () => {
  test("272 of 273 nodes with successRatio 0.99 is Completed (Eraser's integer division says 0%: Failed)", () => {
    const counts = { desired: 273, succeeded: 272, failed: 1, skipped: 0 };
    assert.equal(jobPhase(counts, 0.99), "Completed");
    assert.ok(successFraction(counts) > 0.996);
    assert.equal(Math.floor(272 / 273), 0, "what integer division gives");
  });
  test("skipped nodes count as success; the ratio is inclusive", () => {
    assert.equal(jobPhase({ desired: 10, succeeded: 8, failed: 1, skipped: 1 }, 0.9), "Completed");
    assert.equal(jobPhase({ desired: 10, succeeded: 8, failed: 2, skipped: 0 }, 0.9), "Failed");
  });
  test("Running until every node is accounted for; an empty cluster completes", () => {
    assert.equal(jobPhase({ desired: 3, succeeded: 2, failed: 0, skipped: 0 }, 0), "Running");
    assert.equal(jobPhase({ desired: 0, succeeded: 0, failed: 0, skipped: 0 }, 1), "Completed");
  });
});
