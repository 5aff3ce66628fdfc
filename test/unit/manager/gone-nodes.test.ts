// A node that left the cluster during a job is counted once, as gone, unless its pod finished first.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { CachedPod } from "../../../src/manager/cached-objects.ts";
import { goneNodes } from "../../../src/manager/controllers/gone-nodes.ts";

const pod = (node: string, phase: string): CachedPod => ({ metadata: { name: `eraser-${node}-x` }, spec: { nodeName: node }, status: { phase } });

describe("nodes that left the cluster during a job", () => {
  test("a node gone before its pod finished is gone and its pod dropped; one whose pod finished keeps its result", () => {
    const inCluster = new Set(["a", "b"]);
    const pods = [pod("a", "Running"), pod("c", "Running"), pod("d", "Succeeded"), pod("e", "Failed")];
    const { gone, pods: kept } = goneNodes(["a", "b", "c", "d", "e", "f"], pods, (n) => inCluster.has(n));
    assert.deepEqual([...gone].sort(), ["c", "f"], "c's pod never finished; f never had one");
    assert.deepEqual(kept.map((p) => p.spec?.nodeName), ["a", "d", "e"]);
  });

  test("with every node still in the cluster nothing is gone", () => {
    const pods = [pod("a", "Pending")];
    const result = goneNodes(["a", "b"], pods, () => true);
    assert.equal(result.gone.size, 0);
    assert.deepEqual(result.pods, pods);
  });
});
