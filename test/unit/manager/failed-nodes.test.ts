// Each failed node is announced once, when it fails, whether the status already lists it (a
// restarted manager) or this manager announced it a moment ago (a cache that has not caught up).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { FailedNodes } from "../../../src/manager/controllers/failed-nodes.ts";

const failure = (node: string) => ({ node, reason: `worker exited 1 on ${node}` });

describe("failed nodes as they happen", () => {
  test("a node is announced when it first fails, and never again", () => {
    const failed = new FailedNodes();
    assert.deepEqual(failed.update("j", undefined, [failure("a")]).fresh.map((f) => f.node), ["a"]);
    // The next pass reads a status the cache has not updated yet.
    const second = failed.update("j", undefined, [failure("a"), failure("b")]);
    assert.deepEqual(second.fresh.map((f) => f.node), ["b"]);
    assert.deepEqual(second.listed.map((f) => f.node), ["a", "b"]);
  });

  test("a restarted manager does not announce what the status already lists", () => {
    const restarted = new FailedNodes();
    assert.deepEqual(restarted.update("j", [failure("a")], [failure("a"), failure("c")]).fresh.map((f) => f.node), ["c"]);
  });

  test("at most 10 per pass, the rest on later passes, and only among the 50 the status lists", () => {
    const failed = new FailedNodes();
    const many = Array.from({ length: 60 }, (_, i) => failure(`n${String(i).padStart(2, "0")}`));
    const passes = Array.from({ length: 7 }, () => failed.update("j", undefined, many).fresh.length);
    assert.deepEqual(passes, [10, 10, 10, 10, 10, 0, 0]);
    assert.equal(failed.update("j", undefined, many).listed.length, 50);
  });

  test("a forgotten job starts afresh", () => {
    const failed = new FailedNodes();
    failed.update("j", undefined, [failure("a")]);
    failed.forget("j");
    assert.equal(failed.update("j", undefined, [failure("a")]).fresh.length, 1);
  });
});
