// The trivy-scanner's own config: a YAML string inside the EraserConfig
// (`components.scanner.config`), laid over its defaults.
import { parse as parseYaml } from "yaml";
import { nonEmptyString as nonEmpty, nullish } from "../schema-parts.ts";
import * as z from "../zod.ts";
import { parseGoDuration } from "../duration.ts";
import { defaultScannerConfig } from "./defaults.ts";
import { ConfigError } from "./errors.ts";
import type { ScannerConfig } from "./types.ts";
import { unknownKeys } from "./unknown-keys.ts";

const stringList = nullish(z.array(nonEmpty()));
const severity = z.enum(["UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL"]);

export const ScannerDocumentSchema = z.nullable(
  z.object({
    cacheDir: z.optional(nonEmpty()),
    dbRepo: z.optional(nonEmpty()),
    javaDbRepo: z.optional(nonEmpty()),
    deleteFailedImages: z.optional(z.boolean()),
    deleteEOLImages: z.optional(z.boolean()),
    offline: z.optional(z.boolean()),
    server: z.optional(z.url({ protocol: /^https?$/, error: "must be the trivy server's http:// or https:// URL" })),
    vulnerabilities: nullish(
      z.object({
        ignoreUnfixed: z.optional(z.boolean()),
        types: stringList,
        securityChecks: stringList,
        severities: nullish(z.array(severity)),
        ignoredStatuses: stringList,
      }),
    ),
    timeout: nullish(z.object({ total: z.optional(z.string()), perImage: z.optional(z.string()) })),
    scanOnce: nullish(z.object({ enabled: z.optional(z.boolean()), firstWaveNodes: z.optional(z.int().check(z.gte(1), z.lte(1000))) })),
  }),
);

const fieldPrefix = "components.scanner.config";

export function parseScannerConfig(yamlText: string): { config: ScannerConfig; warnings: string[] } {
  let raw: unknown;
  try {
    raw = parseYaml(yamlText);
  } catch (error) {
    throw new ConfigError(fieldPrefix, `is not valid YAML: ${(error as Error).message}`, { cause: error });
  }
  const parsed = ScannerDocumentSchema.safeParse(raw ?? null);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = [fieldPrefix, ...(issue?.path ?? []).map(String)].join(".");
    throw new ConfigError(path, issue?.message ?? "is invalid");
  }
  const config = overlayScanner(defaultScannerConfig(), parsed.data ?? {});
  const warnings = unknownKeys(ScannerDocumentSchema, raw).map((key) => `unknown field "${fieldPrefix}.${key}" is ignored`);
  return { config, warnings };
}

type ScannerDocument = NonNullable<z.infer<typeof ScannerDocumentSchema>>;

type DbSource = Pick<ScannerConfig, "cacheDir" | "dbRepo" | "javaDbRepo" | "offline" | "server">;

/** Where trivy's DBs come from and live. */
function overlayDbSource(d: ScannerConfig, doc: ScannerDocument): DbSource {
  return {
    cacheDir: doc.cacheDir ?? d.cacheDir,
    dbRepo: doc.dbRepo ?? d.dbRepo,
    javaDbRepo: doc.javaDbRepo ?? d.javaDbRepo,
    offline: doc.offline ?? d.offline,
    server: doc.server?.replace(/\/+$/, "") ?? d.server,
  };
}

function overlayScanner(d: ScannerConfig, doc: ScannerDocument): ScannerConfig {
  return {
    ...overlayDbSource(d, doc),
    deleteFailedImages: doc.deleteFailedImages ?? d.deleteFailedImages,
    deleteEOLImages: doc.deleteEOLImages ?? d.deleteEOLImages,
    vulnerabilities: overlayVulnerabilities(d.vulnerabilities, doc.vulnerabilities ?? {}),
    timeout: {
      totalMs: durationField(doc.timeout?.total, `${fieldPrefix}.timeout.total`, d.timeout.totalMs),
      perImageMs: durationField(doc.timeout?.perImage, `${fieldPrefix}.timeout.perImage`, d.timeout.perImageMs),
    },
    scanOnce: overlayScanOnce(d.scanOnce, doc.scanOnce ?? {}),
  };
}

function overlayVulnerabilities(
  d: ScannerConfig["vulnerabilities"],
  v: NonNullable<ScannerDocument["vulnerabilities"]>,
): ScannerConfig["vulnerabilities"] {
  return {
    ignoreUnfixed: v.ignoreUnfixed ?? d.ignoreUnfixed,
    types: v.types ?? d.types,
    securityChecks: v.securityChecks ?? d.securityChecks,
    severities: v.severities ?? d.severities,
    ignoredStatuses: v.ignoredStatuses ?? d.ignoredStatuses,
  };
}

function overlayScanOnce(d: ScannerConfig["scanOnce"], s: NonNullable<ScannerDocument["scanOnce"]>): ScannerConfig["scanOnce"] {
  return { enabled: s.enabled ?? d.enabled, firstWaveNodes: s.firstWaveNodes ?? d.firstWaveNodes };
}

export function durationField(text: string | undefined, field: string, fallback: number): number {
  if (text === undefined) return fallback;
  try {
    return parseGoDuration(text);
  } catch (error) {
    throw new ConfigError(field, (error as Error).message, { cause: error });
  }
}
