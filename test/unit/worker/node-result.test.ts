import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { formatNodeResult, maxTerminationMessageBytes, parseNodeResult } from "../../../src/api/node-result.ts";

describe("per-node result in the termination message", () => {
  test("fits the kubelet's 4096 bytes by dropping failure details, keeping the counts", () => {
    const failures = Array.from({ length: 20 }, (_, i) => ({ image: `docker.io/library/${"x".repeat(150)}:${i}`, reason: "r".repeat(150) }));
    const text = formatNodeResult({ v: 1, dryRun: false, removed: 3, removedBytes: 9, vulnerable: 0, scanned: 0, scansReused: 0, unjudged: 0, kept: { "in-use": 2 }, failed: 20, failures });
    assert.ok(Buffer.byteLength(text) <= maxTerminationMessageBytes);
    const parsed = parseNodeResult(text);
    assert.ok(parsed.ok);
    assert.equal(parsed.result.failed, 20);
    assert.ok(parsed.result.failures.length < 20);
  });

  test("a result without the scan counts (a worker before scan-once, or before unjudged) reads them as 0", () => {
    const parsed = parseNodeResult(JSON.stringify({ v: 1, dryRun: false, removed: 1, removedBytes: 5, vulnerable: 1, kept: {}, failed: 0, failures: [] }));
    assert.ok(parsed.ok);
    assert.deepEqual([parsed.result.scanned, parsed.result.scansReused, parsed.result.unjudged], [0, 0, 0]);
  });

  test("a message that is not a result says so", () => {
    assert.deepEqual(parseNodeResult("panic: oops"), { ok: false, reason: "termination message is not JSON: panic: oops" });
    const wrong = parseNodeResult('{"v":2}');
    assert.ok(!wrong.ok && wrong.reason.includes('not a node result'));
  });
});
