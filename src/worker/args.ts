// Worker command lines, as the manager writes them and Eraser's flags spell them: a subcommand,
// then flags as `--name=value` or `--name value` (booleans may stand alone).
import { intFlag, nonEmptyString } from "../api/schema-parts.ts";
import * as z from "../api/zod.ts";
import { paths } from "../api/worker-contract.ts";

export const subcommands = ["collector", "trivy-scanner", "remover", "clean"] as const;
export type Subcommand = (typeof subcommands)[number];

const booleanFlags = new Set(["dry-run", "scan-disabled", "prune", "scan", "help", "share-verdicts"]);
/** Flags given once per value. */
const repeatedFlags = ["self-image", "pod-image"] as const;

const text = nonEmptyString;
const flag = z._default(z.boolean(), false);

export const WorkerOptionsSchema = z.object({
  "runtime-endpoint": z._default(text(), paths.runtimeEndpoint),
  "log-level": z._default(z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]), "info"),
  "dry-run": flag,
  "exclusion-dir": z.optional(text()),
  exclusions: z.optional(text()),
  "shared-dir": z._default(text(), paths.sharedDir),
  imagelist: z.optional(text()),
  images: z.optional(text()),
  prune: flag,
  scan: flag,
  "scan-disabled": flag,
  config: z.optional(text()),
  verdicts: z.optional(text()),
  "share-verdicts": flag,
  "termination-log": z._default(text(), paths.terminationLog),
  concurrency: intFlag(8, 1, 256),
  "trivy-path": z._default(text(), "trivy"),
  "self-image": z._default(z.array(text()), []),
  /** Images the node's pods name, as the manager saw them (ADR 0019): never removed. */
  "pod-image": z._default(z.array(text()), []),
  /** A file the manager fills, after the scan, with the images the node's pods name then (ADR 0023). */
  "pod-images-file": z.optional(text()),
  "pod-images-timeout": intFlag(600, 1),
  "wait-timeout": intFlag(3600, 1),
  /** Seconds without a sign of life after which a waiting container takes its neighbour as dead. */
  "liveness-timeout": intFlag(60, 2),
});
export type WorkerOptions = z.infer<typeof WorkerOptionsSchema>;

export class UsageError extends Error {
  override readonly name = "UsageError";
}

export function parseWorkerArgs(argv: readonly string[]): { command: Subcommand; options: WorkerOptions } {
  const [command, ...rest] = argv;
  if (!isSubcommand(command)) {
    throw new UsageError(`unknown command "${command ?? ""}"; expected one of ${subcommands.join(", ")}`);
  }
  const raw = readFlags(rest);
  const known = new Set(Object.keys(WorkerOptionsSchema.shape));
  const unknown = Object.keys(raw).filter((k) => !known.has(k));
  if (unknown.length > 0) throw new UsageError(`unknown flag ${unknown.map((k) => `--${k}`).join(", ")}`);
  const parsed = WorkerOptionsSchema.safeParse(raw);
  if (!parsed.success) throw new UsageError(z.prettifyError(parsed.error));
  return { command, options: parsed.data };
}

function isSubcommand(value: string | undefined): value is Subcommand {
  return subcommands.some((s) => s === value);
}

function readFlags(args: readonly string[]): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  const repeated = new Map<string, string[]>(repeatedFlags.map((name) => [name, []]));
  for (let i = 0; i < args.length; i++) {
    const { name, value, usedNext } = readFlag(args, i);
    if (usedNext) i++;
    const values = repeated.get(name);
    if (values !== undefined) values.push(value);
    else raw[name] = booleanFlags.has(name) ? value !== "false" : value;
  }
  for (const [name, values] of repeated) if (values.length > 0) raw[name] = values;
  return raw;
}

/** The flag at `args[i]`; `usedNext` when its value was the next argument. */
function readFlag(args: readonly string[], i: number): { name: string; value: string; usedNext: boolean } {
  const arg = args[i] ?? "";
  if (!arg.startsWith("--")) throw new UsageError(`unexpected argument "${arg}"`);
  const eq = arg.indexOf("=");
  if (eq !== -1) return { name: arg.slice(2, eq), value: arg.slice(eq + 1), usedNext: false };
  const name = arg.slice(2);
  if (booleanFlags.has(name)) return { name, value: "true", usedNext: false };
  if (i + 1 < args.length) return { name, value: args[i + 1] ?? "", usedNext: true };
  throw new UsageError(`flag --${name} needs a value`);
}
