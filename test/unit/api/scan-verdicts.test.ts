import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { defaultScannerConfig } from "../../../src/api/config/defaults.ts";
import { maxTerminationMessageBytes } from "../../../src/api/node-result.ts";
import { formatShareReport, packImageId, parseShareReport, unpackImageId, verdictFingerprint } from "../../../src/api/scan-verdicts.ts";

const imageId = (seed: string): string => `sha256:${createHash("sha256").update(seed).digest("hex")}`;

describe("scan verdicts: the first wave's report", () => {
  test("image IDs travel as 43 characters and come back whole; IDs of other forms are not shared", () => {
    const id = imageId("alpine");
    const packed = packImageId(id);
    assert.equal(packed?.length, 43);
    assert.equal(unpackImageId(packed ?? ""), id);
    assert.equal(packImageId("sha512:abcd"), undefined);
    assert.equal(packImageId(`sha256:${"A".repeat(64)}`), undefined, "upper-case hex is not what runtimes report");
  });

  test("a report of 300 verdicts fits the kubelet's 4096 bytes: non-compliant ones first, the rest counted as omitted", () => {
    const flagged = Array.from({ length: 20 }, (_, i) => imageId(`bad-${i}`));
    const compliant = Array.from({ length: 280 }, (_, i) => imageId(`ok-${i}`));
    const text = formatShareReport("fp", { flagged, compliant });
    assert.ok(Buffer.byteLength(text) <= maxTerminationMessageBytes, `${Buffer.byteLength(text)} bytes`);
    const parsed = parseShareReport(text);
    assert.ok(parsed.ok, parsed.ok ? "" : parsed.reason);
    assert.deepEqual(parsed.report.flagged.map(unpackImageId), flagged, "every non-compliant verdict made it");
    const kept = parsed.report.compliant.length;
    assert.ok(kept > 60, `${kept} compliant verdicts fit`);
    assert.equal(parsed.report.omitted, 280 - kept);
    assert.deepEqual(parsed.report.compliant.map(unpackImageId), compliant.slice(0, kept));
  });

  test("a message that is not a report is refused with the reason", () => {
    const notJson = parseShareReport("trivy: command not found");
    assert.ok(!notJson.ok && notJson.reason.includes('not JSON'));
    const wrong = parseShareReport(JSON.stringify({ sv: 1, config: "fp", flagged: ["sha256:abc"], compliant: [], omitted: 0 }));
    assert.ok(!wrong.ok && wrong.reason.includes('not a packed image ID'), wrong.ok ? "" : wrong.reason);
    const removerResult = parseShareReport(JSON.stringify({ v: 1, dryRun: false, removed: 1 }));
    assert.ok(!removerResult.ok, "a remover's node result is not a verdict report");
  });
});

describe("scan verdicts: the settings fingerprint", () => {
  const base = verdictFingerprint(defaultScannerConfig());

  test("changes with every setting that changes a verdict", () => {
    const changes: [string, (c: ReturnType<typeof defaultScannerConfig>) => void][] = [
      ["severities", (c) => (c.vulnerabilities.severities = ["CRITICAL"])],
      ["ignoreUnfixed", (c) => (c.vulnerabilities.ignoreUnfixed = true)],
      ["ignoredStatuses", (c) => (c.vulnerabilities.ignoredStatuses = ["will_not_fix"])],
      ["types", (c) => (c.vulnerabilities.types = ["os"])],
      ["securityChecks", (c) => (c.vulnerabilities.securityChecks = ["vuln", "secret"])],
      ["deleteEOLImages", (c) => (c.deleteEOLImages = false)],
      ["dbRepo", (c) => (c.dbRepo = "mirror.example/trivy-db")],
      ["server", (c) => (c.server = "http://trivy.eraser-system:4954")],
      ["javaDbRepo", (c) => (c.javaDbRepo = "mirror.example/trivy-java-db:1")],
    ];
    for (const [name, change] of changes) {
      const config = defaultScannerConfig();
      change(config);
      assert.notEqual(verdictFingerprint(config), base, name);
    }
  });

  test("stays for settings that do not change a verdict, and for list order", () => {
    const config = defaultScannerConfig();
    config.timeout = { totalMs: 1000, perImageMs: 500 };
    config.cacheDir = "/elsewhere";
    config.offline = true;
    config.deleteFailedImages = false;
    config.vulnerabilities.severities = [...config.vulnerabilities.severities].reverse();
    assert.equal(verdictFingerprint(config), base);
  });
});
