// Small schema pieces that several boundaries share (config documents, command-line flags).
import * as z from "./zod.ts";

export const nonEmptyString = () => z.string().check(z.minLength(1));

/** A field that may be left out or written as `null` (YAML `~`). */
export const nullish = <Schema extends z.ZodMiniType>(schema: Schema) => z.optional(z.nullable(schema));

/** A command-line number: given as text, checked as an integer in [min, max]. */
export const intFlag = (fallback: number, min: number, max = Number.MAX_SAFE_INTEGER) =>
  z._default(z.pipe(z.coerce.number(), z.int().check(z.gte(min), z.lte(max))), fallback);
