// Scan once per run across the cluster (SPEC §3): what a first-wave trivy-scanner reports of its
// own scans, and what the manager hands to the nodes after it. The first goes through the scanner
// container's termination message (the kubelet keeps 4096 bytes of it, and worker pods have no API
// rights), so image IDs travel as base64url of their 32 digest bytes and the list is cut to fit.
// A verdict is keyed by image ID, the digest of the image's config, which names its layers: the
// same ID on two nodes is the same content. A verdict is only reused under the scanner settings
// that produced it (the fingerprint); an image missing from the list is simply scanned again.
import { createHash } from "node:crypto";
import type { ScannerConfig } from "./config/types.ts";
import { maxTerminationMessageBytes } from "./node-result.ts";
import * as z from "./zod.ts";

/** The ConfigMap key (and file name, where it is mounted) holding the shared verdicts. */
export const verdictsKey = "verdicts.json";

/** The scanner settings a verdict depends on; timeouts, the cache and failure handling do not. */
export function verdictFingerprint(config: ScannerConfig): string {
  const v = config.vulnerabilities;
  const sorted = (list: readonly string[]): string[] => [...list].sort();
  const relevant = {
    dbRepo: config.dbRepo,
    // Which Java archives trivy can name comes from the Java DB; "" (trivy's own) leaves old fingerprints as they were.
    ...(config.javaDbRepo === "" ? {} : { javaDbRepo: config.javaDbRepo }),
    // Verdicts judged by a trivy server come from its DB, not dbRepo's.
    ...(config.server === "" ? {} : { server: config.server }),
    deleteEOLImages: config.deleteEOLImages,
    ignoreUnfixed: v.ignoreUnfixed,
    types: sorted(v.types),
    securityChecks: sorted(v.securityChecks),
    severities: sorted(v.severities),
    ignoredStatuses: sorted(v.ignoredStatuses),
  };
  return createHash("sha256").update(JSON.stringify(relevant)).digest("hex").slice(0, 16);
}

const imageIdPattern = /^sha256:[0-9a-f]{64}$/;
const packedIdPattern = /^[A-Za-z0-9_-]{43}$/;

/** `sha256:<hex>` as 43 base64url characters; undefined for an ID of any other form (not shared). */
export function packImageId(id: string): string | undefined {
  return imageIdPattern.test(id) ? Buffer.from(id.slice("sha256:".length), "hex").toString("base64url") : undefined;
}

export function unpackImageId(packed: string): string {
  return `sha256:${Buffer.from(packed, "base64url").toString("hex")}`;
}

const packedId = z.string().check(z.regex(packedIdPattern, "is not a packed image ID"));

export const ShareReportSchema = z.object({
  /** Format version: a manager refuses a report it does not understand. */
  sv: z.literal(1),
  config: z.string().check(z.minLength(1)),
  flagged: z.array(packedId),
  compliant: z.array(packedId),
  /** Verdicts left out to fit the termination message. */
  omitted: z.int().check(z.nonnegative()),
});
export type ShareReport = z.infer<typeof ShareReportSchema>;

export interface OwnVerdicts {
  /** Image IDs this node's own scans found non-compliant / compliant (failed scans are not shared). */
  flagged: readonly string[];
  compliant: readonly string[];
}

/** The report as at most `maxTerminationMessageBytes`: non-compliant verdicts go in first. */
export function formatShareReport(config: string, verdicts: OwnVerdicts): string {
  const report: ShareReport = { sv: 1, config, flagged: [], compliant: [], omitted: 0 };
  const fixedBytes = Buffer.byteLength(JSON.stringify({ ...report, omitted: Number.MAX_SAFE_INTEGER }));
  let bytes = fixedBytes;
  const add = (list: string[], id: string): void => {
    const packed = packImageId(id);
    if (packed === undefined) return;
    const cost = packed.length + 3; // the quotes and a comma
    if (bytes + cost > maxTerminationMessageBytes) {
      report.omitted++;
      return;
    }
    bytes += cost;
    list.push(packed);
  };
  for (const id of verdicts.flagged) add(report.flagged, id);
  for (const id of verdicts.compliant) add(report.compliant, id);
  return JSON.stringify(report);
}

export function parseShareReport(text: string): { ok: true; report: ShareReport } | { ok: false; reason: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, reason: `not JSON: ${text.slice(0, 120)}` };
  }
  const parsed = ShareReportSchema.safeParse(raw);
  return parsed.success ? { ok: true, report: parsed.data } : { ok: false, reason: `not a verdict report: ${z.prettifyError(parsed.error)}` };
}

const SharedVerdictSchema = z.object({ flagged: z.boolean(), node: z.string() });

export const SharedVerdictsSchema = z.object({
  v: z.literal(1),
  config: z.string().check(z.minLength(1)),
  /** Image ID -> the verdict, and the node whose scan gave it. */
  images: z.record(z.string().check(z.regex(imageIdPattern, "is not an image ID")), SharedVerdictSchema),
});
export type SharedVerdicts = z.infer<typeof SharedVerdictsSchema>;
