// The first wave's verdict reports, merged into the list the nodes after it reuse. When in doubt,
// a verdict is left out (and that image is scanned again): a report that does not parse, one made
// under other scanner settings than the current ones, and an image two nodes judged differently.
import { parseShareReport, unpackImageId, type ShareReport, type SharedVerdicts } from "../../api/scan-verdicts.ts";

export interface FirstWaveReport {
  node: string;
  /** The trivy-scanner container's termination message ("" when it left none). */
  message: string;
}

export interface Merged {
  verdicts: SharedVerdicts;
  /** One line per report or image left out, naming why. */
  problems: string[];
}

function readReports(reports: readonly FirstWaveReport[], problems: string[]): { node: string; report: ShareReport }[] {
  const usable: { node: string; report: ShareReport }[] = [];
  for (const { node, message } of reports) {
    if (message === "") {
      problems.push(`node ${node} reported no verdicts (its scanner failed or was stopped)`);
      continue;
    }
    const parsed = parseShareReport(message);
    if (parsed.ok) usable.push({ node, report: parsed.report });
    else problems.push(`node ${node}'s verdicts are unusable: ${parsed.reason}`);
  }
  return usable;
}

/** `config`: the fingerprint of the scanner settings the nodes after the first wave will run. */
export function mergeShareReports(reports: readonly FirstWaveReport[], config: string): Merged {
  const problems: string[] = [];
  const usable = readReports(reports, problems);
  const images = new Map<string, { flagged: boolean; node: string }>();
  const conflicting = new Set<string>();
  for (const { node, report } of usable) {
    if (report.config !== config) {
      problems.push(`node ${node} scanned under other scanner settings (${report.config}, now ${config}); its verdicts are not shared`);
      continue;
    }
    if (report.omitted > 0) problems.push(`node ${node} left out ${report.omitted} verdicts to fit its termination message`);
    const add = (packed: string, flagged: boolean): void => {
      const id = unpackImageId(packed);
      const earlier = images.get(id);
      if (earlier === undefined) images.set(id, { flagged, node });
      else if (earlier.flagged !== flagged) conflicting.add(id);
    };
    for (const packed of report.flagged) add(packed, true);
    for (const packed of report.compliant) add(packed, false);
  }
  for (const id of conflicting) {
    problems.push(`nodes disagree on ${id}; every node scans it again`);
    images.delete(id);
  }
  return { verdicts: { v: 1, config, images: Object.fromEntries(images) }, problems };
}
