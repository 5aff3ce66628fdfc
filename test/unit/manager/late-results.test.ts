import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { formatNodeResult } from "../../../src/api/node-result.ts";
import type { CachedPod } from "../../../src/manager/cached-objects.ts";
import { LateResults } from "../../../src/manager/controllers/late-results.ts";

const pod = (node: string, phase: string, removed = 0): CachedPod => ({
  metadata: { name: `p-${node}` },
  spec: { nodeName: node },
  status: { phase, containerStatuses: phase === "Running" ? [] : [{ name: "remover", state: { terminated: { exitCode: phase === "Succeeded" ? 0 : 1, message: formatNodeResult({ v: 1, dryRun: false, removed, removedBytes: removed * 1000, kept: {}, failed: 0, failures: [], vulnerable: 0, scanned: 0, scansReused: 0, unjudged: 0 }) } } }] },
});

describe("late results of an ended job", () => {
  test("a node counted failed whose pod then succeeds is told once, with what it removed", () => {
    const late = new LateResults();
    assert.deepEqual(late.observe("j", ["lost"], [pod("lost", "Running"), pod("ok", "Succeeded", 4)]), [], "still running; a node that succeeded in time is no news");
    assert.deepEqual(late.observe("j", ["lost"], [pod("lost", "Succeeded", 3), pod("ok", "Succeeded", 4)]), [{ node: "lost", removed: 3, removedBytes: 3000 }]);
    assert.deepEqual(late.observe("j", ["lost"], [pod("lost", "Succeeded", 3)]), [], "once");
    late.forget("j");
    assert.equal(late.observe("j", ["lost"], [pod("lost", "Succeeded", 3)]).length, 1, "a forgotten job starts over");
  });

  test("a failed node whose pod failed, or another job's node, is not news", () => {
    const late = new LateResults();
    assert.deepEqual(late.observe("j", ["broken"], [pod("broken", "Failed")]), []);
    assert.deepEqual(late.observe("k", [], [pod("lost", "Succeeded", 3)]), []);
  });
});
