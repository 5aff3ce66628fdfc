// What a restarted manager reads back of a job's deleted pods: the same counts and failure reasons
// as the pods themselves gave, in a ConfigMap that stays under its size limit.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { formatNodeResult, type NodeResult } from "../../../src/api/node-result.ts";
import type { CachedPod } from "../../../src/manager/cached-objects.ts";
import { decodeLedger, encodeLedger, ledgerKeys, maxFinishedBytes, type SavedLedger } from "../../../src/manager/controllers/deleted-pods-record.ts";
import { jobProgress } from "../../../src/manager/controllers/job-progress.ts";

const result = (removed: number, extra: Partial<NodeResult> = {}): string =>
  formatNodeResult({ v: 1, dryRun: false, removed, removedBytes: removed * 1000, vulnerable: 1, scanned: 4, scansReused: 2, unjudged: 1, kept: { "in-use": 3 }, failed: 0, failures: [], ...extra });

const finished = (node: string, phase: string, remover?: { exitCode: number; message?: string; reason?: string }, deleted = false): CachedPod => ({
  metadata: { name: `eraser-${node}-x`, creationTimestamp: new Date(0), ...(deleted ? { deletionTimestamp: new Date(1) } : {}) },
  spec: { nodeName: node },
  status: { phase, ...(remover === undefined ? {} : { containerStatuses: [{ name: "remover", state: { terminated: remover } }] }) },
});

const bounds = { podTimeoutMs: 600_000, scanTimeoutMs: 0, readiness: () => undefined };
const roundTrip = (saved: SavedLedger): SavedLedger => {
  const decoded = decodeLedger(encodeLedger(saved).data);
  assert.ok(decoded.ok, decoded.ok ? "" : decoded.reason);
  return decoded.saved;
};

describe("the saved record of a job's deleted pods", () => {
  test("restored pods count as the deleted ones did: phases, totals and failure reasons", () => {
    const pods = [
      finished("n1", "Succeeded", { exitCode: 0, message: result(5) }),
      finished("n2", "Failed", { exitCode: 143 }, true),
      finished("n3", "Failed", { exitCode: 1, message: result(0, { error: "exclusion list team/x.json is not valid JSON" }) }),
      finished("n4", "Failed", { exitCode: 137, reason: "OOMKilled" }),
      finished("n5", "Succeeded"),
    ];
    const restored = roundTrip({ finished: pods, deletions: new Map(), drained: [] });
    const before = jobProgress(pods, 0, bounds);
    const after = jobProgress(restored.finished, 0, bounds);
    assert.deepEqual(after, before);
    assert.equal(after.removed, 5);
    assert.deepEqual(after.failures.map((f) => f.reason), [
      "worker exited 143: the pod was deleted while it ran (kubectl delete pod, a drain?)",
      "exclusion list team/x.json is not valid JSON",
      "worker exited 137: container remover ran out of memory (OOMKilled, exit 137; its limit is components.remover.limit.memory)",
    ]);
  });

  test("deletions and drains come back as they were", () => {
    const restored = roundTrip({ finished: [], deletions: new Map([["n1", 1], ["n2", 2]]), drained: ["n3"] });
    assert.deepEqual([...restored.deletions], [["n1", 1], ["n2", 2]]);
    assert.deepEqual(restored.drained, ["n3"]);
  });

  test("5,000 deleted pods fit in one ConfigMap; beyond its limit the rest is left out, and said", () => {
    const many = (n: number): CachedPod[] => Array.from({ length: n }, (_, i) => finished(`aks-nodepool1-12345678-vmss${String(i).padStart(6, "0")}`, "Succeeded", { exitCode: 0, message: result(12) }));
    const fits = encodeLedger({ finished: many(5000), deletions: new Map(), drained: [] });
    assert.equal(fits.leftOut, 0);
    const size = Buffer.byteLength(fits.data[ledgerKeys.finished] ?? "");
    assert.ok(size < 500_000, `5,000 lines take ${size} bytes`);
    const over = encodeLedger({ finished: many(20_000), deletions: new Map(), drained: [] });
    assert.ok(over.leftOut > 0);
    assert.ok(Buffer.byteLength(Object.values(over.data).join("")) <= maxFinishedBytes + 100);
  });

  test("a record an earlier manager wrote, without unjudged, is read with it 0, on a rolling upgrade", () => {
    const earlier = decodeLedger({ [ledgerKeys.finished]: '["n1","Succeeded",5,5000,1,4,2]\n["n2","Failed",0,0,0,0,0,"exclusion list team/x.json is not valid JSON"]' });
    assert.ok(earlier.ok, earlier.ok ? "" : earlier.reason);
    const progress = jobProgress(earlier.saved.finished, 0, bounds);
    assert.deepEqual([progress.succeeded, progress.failed, progress.removed, progress.removedBytes, progress.scansReused, progress.unjudged], [1, 1, 5, 5000, 2, 0]);
    assert.match(progress.failures[0]?.reason ?? "", /exclusion list team\/x\.json is not valid JSON/);
  });

  test("a damaged record is refused with where it is damaged", () => {
    assert.deepEqual(decodeLedger({ [ledgerKeys.finished]: '["n1","Succeeded",0,0,0,0,0]\nnot json' }), { ok: false, reason: 'line 2 of "finished" is not JSON' });
    const wrongPhase = decodeLedger({ [ledgerKeys.finished]: '["n1","Running",0,0,0,0,0]' });
    assert.ok(!wrongPhase.ok && wrongPhase.reason.startsWith('line 1 of "finished": '), JSON.stringify(wrongPhase));
    const badCount = decodeLedger({ [ledgerKeys.deletions]: '{"n1":0}' });
    assert.ok(!badCount.ok && badCount.reason.startsWith('"deletions": '), JSON.stringify(badCount));
    assert.deepEqual(decodeLedger({}), { ok: true, saved: { finished: [], deletions: new Map(), drained: [] } });
  });
});
