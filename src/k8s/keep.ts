// What an informer's cache keeps of each object it lists or watches. A keeper built from a zod
// schema keeps only the fields the schema names (z.object drops every other key), so a cache of
// thousands of Nodes or pods holds a few hundred bytes per object, not the API server's 10-20 KB.
import * as z from "../api/zod.ts";

/** Typed lists give timestamps as Dates, watch events as RFC 3339 strings. */
export const apiTimestamp = z.pipe(
  z.union([z.string(), z.date()]),
  z.transform((t) => new Date(t)),
);
/** The metadata every cache keeps: who the object is, and its labels. */
export const objectIdentity = {
  name: z.string(),
  namespace: z.optional(z.string()),
  uid: z.optional(z.string()),
  resourceVersion: z.optional(z.string()),
  labels: z.optional(z.record(z.string(), z.string())),
};

/** `unread`: fields of a shape the keeper did not expect, left out of a kept object (each named). */
export type KeepResult<T> = { object: T; unread?: string[] } | { refused: string };
/** Turns a listed or watched object into what the cache holds, or says why it cannot. */
export type Keep<T> = (raw: unknown) => KeepResult<T>;
/** What a keeper could not take: a whole object (refused), or some fields of one it kept. */
export type KeepProblem = { name: string; refused: string } | { name: string; unread: string[] };

/** The name an object gives itself, or "" for one without (the reason it may be refused). */
function nameOf(raw: unknown): string {
  const metadata = typeof raw === "object" && raw !== null ? (raw as { metadata?: unknown }).metadata : undefined;
  const name = typeof metadata === "object" && metadata !== null ? (metadata as { name?: unknown }).name : undefined;
  return typeof name === "string" ? name : "";
}

/** Keeps `raw` and tells `report` what it could not read of it; undefined when it is refused. */
export function keepReporting<T extends { metadata?: { name?: string } }>(keep: Keep<T>, raw: unknown, report: (problem: KeepProblem) => void): T | undefined {
  const kept = keep(raw);
  if ("refused" in kept) {
    report({ name: nameOf(raw), refused: kept.refused });
    return undefined;
  }
  if (kept.unread !== undefined) report({ name: kept.object.metadata?.name ?? "", unread: kept.unread });
  return kept.object;
}

/** What a keeper keeps. */
export type KeptBy<K> = K extends Keep<infer T> ? T : never;

/** A schema's output whose optional keys are absent rather than undefined (see dropUndefined). */
export type Kept<T> = T extends Date
  ? T
  : T extends readonly (infer U)[]
    ? Kept<U>[]
    : T extends object
      ? { [K in keyof T]: Kept<Exclude<T[K], undefined>> }
      : T;

/** Drops undefined-valued keys: client-node's typed lists set every absent field to undefined. */
export function dropUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropUndefined);
  if (value === null || typeof value !== "object" || value instanceof Date) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, dropUndefined(v)]),
  );
}

export function keepBySchema<S extends z.ZodMiniType>(schema: S): Keep<Kept<z.output<S>>> {
  return (raw) => {
    const parsed = schema.safeParse(raw);
    if (!parsed.success) return { refused: z.prettifyError(parsed.error) };
    // Sound: once no key holds undefined, the parsed value has exactly the type Kept<> describes.
    return { object: dropUndefined(parsed.data) as Kept<z.output<S>> };
  };
}
