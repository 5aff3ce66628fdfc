// Verdicts on real trivy reports (../shared/fixtures/trivy).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { defaultScannerConfig } from "../../../src/api/config/defaults.ts";
import type { ScannerConfig } from "../../../src/api/config/types.ts";
import { parseTrivyReport } from "../../../src/worker/scanner/report.ts";
import { judgeReport } from "../../../src/worker/scanner/verdict.ts";
import { sharedDir } from "../../harness/paths.ts";

const report = (name: string) => parseTrivyReport(readFileSync(join(sharedDir, "fixtures", "trivy", `${name}.json`), "utf8"));
const config = (change: (c: ScannerConfig) => void = () => undefined): ScannerConfig => {
  const c = defaultScannerConfig();
  change(c);
  return c;
};

describe("scan verdicts on real trivy reports", () => {
  test("alpine 3.9: CRITICAL and MEDIUM findings and an end-of-life OS", () => {
    const v = judgeReport(report("alpine-39"), config());
    assert.equal(v.nonCompliant, true);
    assert.match(v.reasons.join("; "), /CRITICAL/);
    assert.match(v.reasons.join("; "), /end-of-life OS: alpine 3\.9\.4/);
  });

  test("alpine 3.9 with severities [LOW] and deleteEOLImages off is compliant", () => {
    const v = judgeReport(report("alpine-39"), config((c) => {
      c.vulnerabilities.severities = ["LOW"];
      c.deleteEOLImages = false;
    }));
    assert.deepEqual(v, { nonCompliant: false, reasons: [], vulnerabilities: 0 });
  });

  test("alpine 3.10 with only CRITICAL counted is still non-compliant for being end-of-life", () => {
    const v = judgeReport(report("alpine-310"), config((c) => (c.vulnerabilities.severities = ["CRITICAL"])));
    assert.deepEqual(v.reasons, ["end-of-life OS: alpine 3.10.2"]);
  });

  test("centos 6: ignoredStatuses end_of_life and fixed leave only the OS reason", () => {
    const v = judgeReport(report("centos-6"), config((c) => (c.vulnerabilities.ignoredStatuses = ["end_of_life", "fixed"])));
    assert.deepEqual(v.reasons, ["end-of-life OS: centos 6.10"]);
  });

  test("distroless: ignoreUnfixed drops findings without a fixed version", () => {
    const all = judgeReport(report("distroless-base"), config());
    const fixedOnly = judgeReport(report("distroless-base"), config((c) => (c.vulnerabilities.ignoreUnfixed = true)));
    assert.ok(fixedOnly.vulnerabilities < all.vulnerabilities, `${fixedOnly.vulnerabilities} < ${all.vulnerabilities}`);
  });

  test("debian buster (scanned with --ignore-unfixed) is non-compliant at CRITICAL", () => {
    assert.equal(judgeReport(report("debian-buster-ignore-unfixed"), config()).nonCompliant, true);
  });

  test("a clean SL Micro image is compliant", () => {
    assert.deepEqual(judgeReport(report("sl-micro-clean"), config()), { nonCompliant: false, reasons: [], vulnerabilities: 0 });
  });

  test("output that is not a schema-2 report is an error, not a verdict", () => {
    assert.throws(() => parseTrivyReport("not json"), /not JSON/);
    assert.throws(() => parseTrivyReport('{"SchemaVersion": 1}'), /schema-2/);
  });
});
