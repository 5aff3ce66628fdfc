// Worker command lines, as the manager writes them and Eraser's flags spell them: a subcommand,
// then flags as `--name=value` or `--name value` (booleans may stand alone).
import { intFlag, nonEmptyString } from "../api/schema-parts.ts";
import * as z from "../api/zod.ts";
import { paths } from "../api/worker-contract.ts";

export const subcommands = ["collector", "trivy-scanner", "remover", "clean"] as const;
export type Subcommand = (typeof subcommands)[number];

const booleanFlags = new Set(["dry-run", "scan-disabled", "prune", "scan", "help", "share-verdicts"]);

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
  const selfImages: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    if (!arg.startsWith("--")) throw new UsageError(`unexpected argument "${arg}"`);
    const eq = arg.indexOf("=");
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const isBoolean = booleanFlags.has(name);
    let value: string;
    if (eq !== -1) value = arg.slice(eq + 1);
    else if (isBoolean) value = "true";
    else if (i + 1 < args.length) value = args[++i] ?? "";
    else throw new UsageError(`flag --${name} needs a value`);
    if (name === "self-image") selfImages.push(value);
    else raw[name] = isBoolean ? value !== "false" : value;
  }
  if (selfImages.length > 0) raw["self-image"] = selfImages;
  return raw;
}
