// Worker pods deleted while their job runs: a finished one's outcome stays, an unfinished one is
// made again once, and a node that loses a second one gets no more.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { CachedPod } from "../../../src/manager/cached-objects.ts";
import { DeletedPods, type NodeView } from "../../../src/manager/controllers/deleted-pods.ts";

const pod = (name: string, node: string, phase: string, deleted = false): CachedPod => ({
  metadata: { name, ...(deleted ? { deletionTimestamp: new Date() } : {}) },
  spec: { nodeName: node },
  status: { phase },
});
const none = new Set<string>();
const everyNode: NodeView = { has: () => true, cordoned: () => false };
const names = (pods: readonly CachedPod[]): string[] => pods.map((p) => p.metadata.name).sort();

describe("deleted worker pods", () => {
  test("a finished pod deleted mid-job still counts, and its node gets no new pod", () => {
    const ledger = new DeletedPods();
    ledger.observe("j", [pod("a", "n1", "Succeeded"), pod("b", "n2", "Running")], none, everyNode);
    const later = ledger.observe("j", [pod("b", "n2", "Running")], none, everyNode);
    assert.deepEqual(names(later.pods), ["a", "b"], "as the pod garbage collector may delete finished pods");
    assert.deepEqual(later.deletedOnce, []);
    assert.deepEqual(later.abandoned, []);
  });

  test("an unfinished pod deleted is made again once; a second deletion fails its node for good", () => {
    const ledger = new DeletedPods();
    ledger.observe("j", [pod("a", "n1", "Running"), pod("b", "n2", "Pending")], none, everyNode);
    const first = ledger.observe("j", [pod("b", "n2", "Pending")], none, everyNode);
    assert.deepEqual(first.deletedOnce, ["n1"], "kubectl delete pod, often to retry it: made again");
    assert.deepEqual(names(first.pods), ["b"]);
    assert.deepEqual(ledger.observe("j", [pod("b", "n2", "Pending")], new Set(["n1"]), everyNode).deletedOnce, [], "its new pod is on the way");
    assert.deepEqual(ledger.observe("j", [pod("a2", "n1", "Pending"), pod("b", "n2", "Pending")], none, everyNode).deletedOnce, []);
    const second = ledger.observe("j", [pod("b", "n2", "Pending")], none, everyNode);
    assert.deepEqual(second.deletedOnce, []);
    assert.deepEqual(second.abandoned.map((f) => f.node), ["n1"]);
    assert.match(second.abandoned[0]?.reason ?? "", /deleted before it finished, 2 times \(not by eraser-ts/);
    const after = ledger.observe("j", [pod("b", "n2", "Pending")], none, everyNode);
    assert.equal(after.abandoned.length, 1, "counted once, not on every pass");
  });

  test("a pod that went with its node is not a deletion, and a pod the cache never showed is not either", () => {
    const ledger = new DeletedPods();
    ledger.observe("j", [pod("a", "gone", "Pending")], none, everyNode);
    const observed = ledger.observe("j", [], none, { has: (n) => n !== "gone", cordoned: () => false });
    assert.deepEqual([observed.deletedOnce, observed.abandoned], [[], []]);
    assert.deepEqual(ledger.observe("j", [], new Set(["n9"]), everyNode).deletedOnce, []);
  });

  test("a cordoned node whose pod is deleted is being drained: skipped, no new pod, not a failure", () => {
    const drainingN1: NodeView = { has: () => true, cordoned: (n) => n === "n1" };
    const ledger = new DeletedPods();
    ledger.observe("j", [pod("a", "n1", "Running"), pod("b", "n2", "Running")], none, drainingN1);
    // The drain's eviction: the kubelet stops the pod, reports it Failed, then it goes.
    const evicting = ledger.observe("j", [pod("a", "n1", "Failed", true), pod("b", "n2", "Running")], none, drainingN1);
    assert.deepEqual([...evicting.drained], ["n1"]);
    assert.deepEqual(names(evicting.pods), ["b"], "its failure is not counted");
    const gone = ledger.observe("j", [pod("b", "n2", "Running")], none, drainingN1);
    assert.deepEqual([gone.deletedOnce, gone.abandoned, [...gone.drained]], [[], [], ["n1"]]);

    const forced = new DeletedPods();
    forced.observe("j", [pod("a", "n1", "Pending")], none, drainingN1);
    assert.deepEqual([...forced.observe("j", [], none, drainingN1).drained], ["n1"], "a forced delete on a cordoned node is a drain too");
  });

  test("on a cordoned node, a pod that succeeded keeps its result when it is deleted, and an uncordoned node's deleted pod is not a drain", () => {
    const ledger = new DeletedPods();
    const draining: NodeView = { has: () => true, cordoned: (n) => n === "n1" };
    ledger.observe("j", [pod("a", "n1", "Succeeded"), pod("b", "n2", "Running", true)], none, draining);
    const later = ledger.observe("j", [], none, draining);
    assert.deepEqual(names(later.pods), ["a"]);
    assert.deepEqual([...later.drained], []);
    assert.deepEqual(later.deletedOnce, ["n2"]);
  });

  test("forgetting a job forgets its deletions", () => {
    const ledger = new DeletedPods();
    ledger.observe("j", [pod("a", "n1", "Running")], none, everyNode);
    ledger.observe("j", [], none, everyNode);
    ledger.forget("j");
    ledger.observe("j", [pod("a2", "n1", "Running")], none, everyNode);
    assert.deepEqual(ledger.observe("j", [], none, everyNode).deletedOnce, ["n1"]);
  });

  test("a manager that takes over keeps what the last one saw: finished pods, deletions and drains", () => {
    const earlier = new DeletedPods();
    const draining: NodeView = { has: () => true, cordoned: (n) => n === "n3" };
    earlier.observe("j", [pod("a", "n1", "Succeeded"), pod("b", "n2", "Running"), pod("c", "n3", "Running"), pod("d", "n4", "Running")], none, draining);
    const saved = earlier.saved("j");
    assert.equal(earlier.version("j"), 0, "nothing deleted yet, nothing to save");
    earlier.observe("j", [pod("d", "n4", "Running")], none, draining);
    assert.ok(earlier.version("j") > 0);
    const after = earlier.saved("j");
    assert.deepEqual([after.finished.map((p) => p.metadata.name), [...after.deletions], after.drained], [["a"], [["n2", 1]], ["n3"]]);
    assert.deepEqual(saved.finished, [], "a snapshot does not change after it is taken");

    const next = new DeletedPods();
    next.restore("j", after);
    const first = next.observe("j", [pod("b2", "n2", "Running"), pod("d", "n4", "Running")], none, draining);
    assert.deepEqual(names(first.pods), ["a", "b2", "d"], "n1's result still counts, and it gets no new pod");
    assert.deepEqual([...first.drained], ["n3"]);
    const second = next.observe("j", [pod("d", "n4", "Running")], none, draining);
    assert.deepEqual(second.deletedOnce, [], "n2's pod was deleted once before the takeover");
    assert.deepEqual(second.abandoned.map((f) => f.node), ["n2"]);

    const third = new DeletedPods();
    third.restore("j", next.saved("j"));
    assert.deepEqual(third.observe("j", [], none, draining).abandoned.map((f) => [f.node, f.reason]), [["n2", second.abandoned[0]?.reason]], "given up on stays given up on");
  });
});
