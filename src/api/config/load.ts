// Loads an EraserConfig (v1alpha1, v1alpha2 or v1alpha3) into the one internal form: the YAML is
// laid over the defaults, a given list replaces the default list, unknown keys become warnings.
import { parse as parseYaml } from "yaml";
import type * as z from "../zod.ts";
import { fromV1Alpha1, fromV1Alpha2 } from "./convert.ts";
import { defaultEraserConfig } from "./defaults.ts";
import { V1Alpha1Schema, V1Alpha2Schema, V1Alpha3Schema, type V1Alpha3Document } from "./document-schema.ts";
import { ConfigError } from "./errors.ts";
import { applyDocument } from "./overlay.ts";
import type { EraserConfig } from "./types.ts";
import { unknownKeys } from "./unknown-keys.ts";

export { ConfigError } from "./errors.ts";
export { defaultEraserConfig } from "./defaults.ts";
export { parseScannerConfig } from "./scanner.ts";

export const supportedApiVersions = ["eraser.sh/v1alpha1", "eraser.sh/v1alpha2", "eraser.sh/v1alpha3"] as const;

export interface LoadedConfig {
  config: EraserConfig;
  warnings: string[];
}

export function loadEraserConfig(yamlText: string): LoadedConfig {
  const raw = readYaml(yamlText);
  const { document, schema } = parseVersioned(raw);
  const warnings = unknownKeys(schema, raw).map((key) => `unknown field "${key}" is ignored`);
  const applied = applyDocument(defaultEraserConfig(), document);
  return { config: applied.config, warnings: [...warnings, ...applied.warnings] };
}

function readYaml(yamlText: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = parseYaml(yamlText);
  } catch (error) {
    throw new ConfigError("", `not valid YAML: ${(error as Error).message}`, { cause: error });
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new ConfigError("", "the document must be a YAML mapping with apiVersion, kind, manager and components");
  }
  return raw as Record<string, unknown>;
}

function parseVersioned(raw: Record<string, unknown>): { document: V1Alpha3Document; schema: z.core.$ZodType } {
  const apiVersion = raw["apiVersion"];
  switch (apiVersion) {
    case "eraser.sh/v1alpha3":
      return { document: check(V1Alpha3Schema, raw), schema: V1Alpha3Schema };
    case "eraser.sh/v1alpha2":
      return { document: fromV1Alpha2(check(V1Alpha2Schema, raw)), schema: V1Alpha2Schema };
    case "eraser.sh/v1alpha1":
      return { document: fromV1Alpha1(check(V1Alpha1Schema, raw)), schema: V1Alpha1Schema };
    case undefined:
      throw new ConfigError("apiVersion", `is missing; expected one of ${supportedApiVersions.join(", ")}`);
    default:
      throw new ConfigError("apiVersion", `unknown apiVersion ${JSON.stringify(apiVersion)}; expected one of ${supportedApiVersions.join(", ")}`);
  }
}

function check<Schema extends z.ZodMiniType>(schema: Schema, raw: unknown): z.infer<Schema> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = (issue?.path ?? []).map(String).join(".");
  throw new ConfigError(field, issue?.message ?? "is invalid");
}
