import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { WorkQueue } from "../../../src/manager/queue.ts";

const tick = (ms = 5): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe("keyed work queue", () => {
  test("one reconcile at a time per key; adds during a run are merged into one rerun", async () => {
    const calls: string[] = [];
    let active = 0;
    let peak = 0;
    const q = new WorkQueue(async (key) => {
      active++;
      peak = Math.max(peak, active);
      calls.push(key);
      await tick(20);
      active--;
      return undefined;
    });
    q.add("a");
    await tick(2);
    q.add("a");
    q.add("a");
    q.add("a");
    await tick(80);
    await q.idle();
    assert.deepEqual(calls, ["a", "a"]);
    assert.equal(peak, 1);
    await q.stop();
  });
  test("different keys run in parallel", async () => {
    let active = 0;
    let peak = 0;
    const q = new WorkQueue(async () => {
      active++;
      peak = Math.max(peak, active);
      await tick(20);
      active--;
      return undefined;
    });
    for (const k of ["a", "b", "c"]) q.add(k);
    await tick(5);
    await q.idle();
    assert.equal(peak, 3);
    await q.stop();
  });
  test("a failing reconcile is retried with backoff; requeue-after calls again later", async () => {
    const times: number[] = [];
    let failures = 2;
    const start = Date.now();
    const q = new WorkQueue(
      () => {
        times.push(Date.now() - start);
        if (failures-- > 0) return Promise.reject(new Error("boom"));
        return Promise.resolve(times.length < 4 ? { requeueAfterMs: 30 } : undefined);
      },
      { baseBackoffMs: 20 },
    );
    q.add("k");
    await tick(250);
    assert.equal(times.length, 4);
    assert.ok(times[1]! >= 18 && times[2]! - times[1]! >= 38, `backoff doubles: ${times.join(",")}`);
    await q.stop();
  });
});
