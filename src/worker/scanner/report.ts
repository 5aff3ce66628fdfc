// trivy's JSON report (schema version 2), only the parts a verdict needs; parsed at the boundary.
import { z } from "zod";

const VulnerabilitySchema = z.looseObject({
  VulnerabilityID: z.string(),
  PkgName: z.string().optional(),
  InstalledVersion: z.string().optional(),
  FixedVersion: z.string().optional(),
  Status: z.string().optional(),
  Severity: z.string(),
});

export const TrivyReportSchema = z.looseObject({
  SchemaVersion: z.literal(2),
  ArtifactName: z.string().optional(),
  Metadata: z
    .looseObject({ OS: z.looseObject({ Family: z.string(), Name: z.string(), EOSL: z.boolean().optional() }).optional() })
    .optional(),
  Results: z
    .array(z.looseObject({ Target: z.string(), Class: z.string().optional(), Vulnerabilities: z.array(VulnerabilitySchema).nullable().optional() }))
    .optional(),
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
