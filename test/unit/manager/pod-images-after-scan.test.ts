// When the manager lists a node's pods again for its remover (ADR 0023): once every container
// before the remover has ended well, and only once.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { keepPod, type CachedPod } from "../../../src/manager/cached-objects.ts";
import { scanEnded } from "../../../src/manager/controllers/pod-images-after-scan.ts";

type State = "running" | "waiting" | number;

function pod(states: Record<string, State>, extra: { phase?: string; deleting?: boolean; annotations?: Record<string, string> } = {}): CachedPod {
  const containerStatuses = Object.entries(states).map(([name, s]) => ({
    name,
    state: s === "running" ? {} : s === "waiting" ? { waiting: { reason: "ContainerCreating" } } : { terminated: { exitCode: s } },
  }));
  const kept = keepPod({
    metadata: { name: "eraser-n-x", ...(extra.deleting === true ? { deletionTimestamp: "2026-11-24T10:00:00Z" } : {}), ...(extra.annotations === undefined ? {} : { annotations: extra.annotations }) },
    spec: { nodeName: "n" },
    status: { phase: extra.phase ?? "Running", containerStatuses },
  });
  if (!("object" in kept)) throw new Error(kept.refused);
  return kept.object;
}

describe("the images after the scan", () => {
  test("are due once the collector and the scanner ended with exit 0 and the remover has not ended", () => {
    assert.equal(scanEnded(pod({ collector: 0, "trivy-scanner": 0, remover: "running" })), true);
    assert.equal(scanEnded(pod({ collector: 0, remover: "running" })), true, "with the scanner disabled, after the collector");
  });

  test("are not due while a container before the remover runs or has not started", () => {
    assert.equal(scanEnded(pod({ collector: 0, "trivy-scanner": "running", remover: "running" })), false);
    assert.equal(scanEnded(pod({ collector: "waiting", "trivy-scanner": "waiting", remover: "waiting" }, { phase: "Pending" })), false);
    assert.equal(scanEnded(pod({})), false, "a pod the kubelet has not reported on");
  });

  test("are not due after a neighbour failed (the remover removes nothing), nor once the remover ended", () => {
    assert.equal(scanEnded(pod({ collector: 0, "trivy-scanner": 1, remover: "running" })), false);
    assert.equal(scanEnded(pod({ collector: 0, "trivy-scanner": 0, remover: 0 }, { phase: "Succeeded" })), false);
    assert.equal(scanEnded(pod({ collector: 0, "trivy-scanner": 0, remover: 1 })), false);
  });

  test("are not due for a pod being deleted, nor for one that has them", () => {
    assert.equal(scanEnded(pod({ collector: 0, "trivy-scanner": 0, remover: "running" }, { deleting: true })), false);
    const set = pod({ collector: 0, "trivy-scanner": 0, remover: "running" }, { annotations: { "eraser.sh/pod-images-after-scan": "[]" } });
    assert.equal(scanEnded(set), false, "an empty list is a list");
  });

  test("the pod cache keeps only that the list is set, not the list, and no other annotation", () => {
    const images = JSON.stringify(Array.from({ length: 200 }, (_, i) => `registry.example/team/app-${i}:v1`));
    const set = pod({ remover: "running" }, { annotations: { "eraser.sh/pod-images-after-scan": images, "kubectl.kubernetes.io/note": "x".repeat(1000) } });
    assert.deepEqual(set.metadata.annotations, { "eraser.sh/pod-images-after-scan": "set" });
  });
});
