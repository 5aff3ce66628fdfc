// Which job the gate says is running: the cache's, or one this process just created.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { ImageJob } from "../../../src/api/imagejob.ts";
import { JobGate } from "../../../src/manager/controllers/job-gate.ts";

function gateOver(jobs: ImageJob[]): { gate: JobGate; clock: { ms: number } } {
  const clock = { ms: 0 };
  const state = { imageJob: (name: string) => jobs.find((j) => j.metadata.name === name), allImageJobs: () => jobs };
  return { gate: new JobGate(state, { now: () => clock.ms }), clock };
}

describe("the job gate", () => {
  test("a job just created counts as running until the cache has had an event for it", () => {
    const { gate } = gateOver([]);
    gate.started("j1");
    assert.equal(gate.running(), "j1", "the cache does not show it yet");
    // It ran, finished and was deleted before anyone asked again: the cache shows nothing, and
    // that must not hold the next job back.
    gate.observed("j1");
    assert.equal(gate.running(), undefined);
  });

  test("without an event, a job the cache never showed stops counting after 30 s", () => {
    const { gate, clock } = gateOver([]);
    gate.started("j1");
    clock.ms = 29_000;
    assert.equal(gate.running(), "j1");
    clock.ms = 31_000;
    assert.equal(gate.running(), undefined);
  });

  test("a job the cache shows running counts whatever the gate recorded", () => {
    const running = { apiVersion: "eraser.sh/v1", kind: "ImageJob", metadata: { name: "j2" }, status: { phase: "Running" } } as ImageJob;
    const { gate } = gateOver([running]);
    assert.equal(gate.running(), "j2");
  });
});
