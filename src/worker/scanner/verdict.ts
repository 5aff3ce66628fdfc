// Is a scanned image non-compliant? Any vulnerability at a configured severity (after
// ignoreUnfixed and ignoredStatuses), or an end-of-life OS when deleteEOLImages is on.
import type { ScannerConfig } from "../../api/config/types.ts";
import type { TrivyReport } from "./report.ts";

export interface Verdict {
  nonCompliant: boolean;
  reasons: string[];
  vulnerabilities: number;
}

export function judgeReport(report: TrivyReport, config: ScannerConfig): Verdict {
  const severities = new Set(config.vulnerabilities.severities.map((s) => s.toUpperCase()));
  const ignored = new Set(config.vulnerabilities.ignoredStatuses.map((s) => s.toLowerCase()));
  const counted = (report.Results ?? [])
    .flatMap((result) => result.Vulnerabilities ?? [])
    .filter((v) => severities.has(v.Severity.toUpperCase()))
    .filter((v) => !ignored.has((v.Status ?? "").toLowerCase()))
    .filter((v) => !config.vulnerabilities.ignoreUnfixed || (v.FixedVersion ?? "") !== "");
  const reasons: string[] = [];
  if (counted.length > 0) {
    const bySeverity = new Map<string, number>();
    for (const v of counted) bySeverity.set(v.Severity, (bySeverity.get(v.Severity) ?? 0) + 1);
    reasons.push(`vulnerable: ${[...bySeverity].map(([s, n]) => `${n} ${s}`).join(", ")}`);
  }
  const os = report.Metadata?.OS;
  if (config.deleteEOLImages && os?.EOSL === true) reasons.push(`end-of-life OS: ${os.Family} ${os.Name}`);
  return { nonCompliant: reasons.length > 0, reasons, vulnerabilities: counted.length };
}
