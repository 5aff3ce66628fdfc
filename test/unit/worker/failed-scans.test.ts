import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { ImageRecord } from "../../../src/images/record.ts";
import { createLogger } from "../../../src/observability/logger.ts";
import { settleFailedScans, TrivyJudgedNothingError, type FailedScan, type ScanOutcome } from "../../../src/worker/scanner/scan.ts";

const log = createLogger({ level: "silent" });
const image = (n: number): ImageRecord => ({ id: `sha256:${String(n).repeat(64).slice(0, 64)}`, repoTags: [`docker.io/library/i${n}:1`], repoDigests: [], pinned: false, sizeBytes: 1 });
const failure = (n: number): FailedScan => ({ image: image(n), reason: `scan failed: trivy exited 1: image ${n}`, log });
const outcome = (judged: number): ScanOutcome => ({ flagged: [], vulnerable: 0, judged: { nonCompliant: [], compliant: Array.from({ length: judged }, (_, i) => image(100 + i).id) }, unjudged: 0 });

describe("failed scans under deleteFailedImages", () => {
  test("once trivy has judged an image on the node, each failed scan flags its image", () => {
    const o = outcome(1);
    settleFailedScans(o, [failure(1), failure(2)], true);
    assert.deepEqual(o.flagged.map((i) => i.id), [image(1).id, image(2).id]);
    assert.equal(o.unjudged, 0, "flagged is a decision, not a lack of one");
  });

  test("with deleteFailedImages off, a failed scan is kept", () => {
    const o = outcome(1);
    settleFailedScans(o, [failure(1)], false);
    assert.deepEqual(o.flagged, []);
    assert.equal(o.unjudged, 1, "counted as kept without a verdict");
  });

  test("when trivy judged nothing, two or more failures fail the scanner naming the first; one is kept", () => {
    assert.throws(() => {
      settleFailedScans(outcome(0), [failure(1), failure(2)], true);
    }, (error: unknown) => error instanceof TrivyJudgedNothingError && /judged none of the 2 images .* the first failure: scan failed: trivy exited 1: image 1$/.test(error.message));
    const single = outcome(0);
    settleFailedScans(single, [failure(3)], true);
    assert.deepEqual(single.flagged, [], "a lone failure on a node where trivy judged nothing is not enough to remove");
    assert.equal(single.unjudged, 1);
  });

  test("a scan that ended for a reason that says nothing about the image is never flagged, even beside judged images", () => {
    const o = outcome(1);
    const killed: FailedScan = { image: image(4), reason: "trivy-killed: trivy was killed by SIGKILL", log, unjudged: "killed" };
    const noJavaDb: FailedScan = { image: image(5), reason: "java-db-unavailable: ...", log, unjudged: "java-db" };
    settleFailedScans(o, [failure(1), killed, noJavaDb], true);
    assert.deepEqual(o.flagged.map((i) => i.id), [image(1).id], "only the plain failed scan");
    assert.equal(o.unjudged, 2);
  });

  test("when trivy judged nothing, a dead trivy or an unreachable runtime fails the scanner; images without a Java DB do not", () => {
    const unreachable = (n: number): FailedScan => ({ image: image(n), reason: `runtime-unreachable: image ${n}`, log, unjudged: "runtime" });
    assert.throws(() => {
      settleFailedScans(outcome(0), [unreachable(1), unreachable(2)], true);
    }, /judged none of the 2 images .* the first failure: runtime-unreachable: image 1$/);
    const javaOnly = outcome(0);
    const noJavaDb = (n: number): FailedScan => ({ image: image(n), reason: "java-db-unavailable: ...", log, unjudged: "java-db" });
    settleFailedScans(javaOnly, [noJavaDb(1), noJavaDb(2), noJavaDb(3)], true);
    assert.deepEqual([javaOnly.flagged, javaOnly.unjudged], [[], 3], "a node holding only Java images is not a broken scanner");
  });
});
