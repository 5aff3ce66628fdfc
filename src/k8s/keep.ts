// What an informer's cache keeps of each object it lists or watches. A keeper built from a zod
// schema keeps only the fields the schema names (z.object drops every other key), so a cache of
// thousands of Nodes or pods holds a few hundred bytes per object, not the API server's 10-20 KB.
import * as z from "../api/zod.ts";

export type KeepResult<T> = { object: T } | { refused: string };
/** Turns a listed or watched object into what the cache holds, or says why it cannot. */
export type Keep<T> = (raw: unknown) => KeepResult<T>;
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
