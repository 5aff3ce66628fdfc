// trivy's JSON report (schema version 2), only the parts a verdict needs; parsed at the boundary.
import * as z from "../../api/zod.ts";

const VulnerabilitySchema = z.looseObject({
  VulnerabilityID: z.string(),
  PkgName: z.optional(z.string()),
  InstalledVersion: z.optional(z.string()),
  FixedVersion: z.optional(z.string()),
  Status: z.optional(z.string()),
  Severity: z.string(),
});

export const TrivyReportSchema = z.looseObject({
  SchemaVersion: z.literal(2),
  ArtifactName: z.optional(z.string()),
  Metadata: z.optional(z.looseObject({ OS: z.optional(z.looseObject({ Family: z.string(), Name: z.string(), EOSL: z.optional(z.boolean()) })) })),
  Results: z.optional(
    z.array(
      z.looseObject({ Target: z.string(), Class: z.optional(z.string()), Vulnerabilities: z.optional(z.nullable(z.array(VulnerabilitySchema))) }),
    ),
  ),
});

export type TrivyReport = z.infer<typeof TrivyReportSchema>;
export type Vulnerability = z.infer<typeof VulnerabilitySchema>;

export function parseTrivyReport(text: string): TrivyReport {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`trivy output is not JSON: ${text.slice(0, 200)}`, { cause: error });
  }
  const parsed = TrivyReportSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`trivy output is not a schema-2 report: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
