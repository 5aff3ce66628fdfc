// Eraser ignores unknown config keys silently, so a typo ("repeatInterva") quietly keeps a
// default. We keep accepting them but name each one, by walking the document beside its schema.
import type * as z from "../zod.ts";

type AnySchema = z.core.$ZodType;

function unwrap(schema: AnySchema): AnySchema {
  let current = schema;
  for (;;) {
    const def = current._zod.def;
    if ((def.type === "optional" || def.type === "nullable" || def.type === "default" || def.type === "pipe") && "innerType" in def) {
      current = def.innerType as AnySchema;
    } else if (def.type === "pipe" && "in" in def) {
      current = def.in as AnySchema;
    } else {
      return current;
    }
  }
}

function objectShape(schema: AnySchema): Record<string, AnySchema> | undefined {
  const def = unwrap(schema)._zod.def;
  if (def.type !== "object" || !("shape" in def)) return undefined;
  return def.shape as Record<string, AnySchema>;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Dotted paths of keys in `value` that `schema` does not know. Records and arrays are not walked. */
export function unknownKeys(schema: AnySchema, value: unknown, path = ""): string[] {
  const shape = objectShape(schema);
  if (shape === undefined || !isPlainObject(value)) return [];
  const found: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    const childPath = path === "" ? key : `${path}.${key}`;
    const childSchema = shape[key];
    if (childSchema === undefined) found.push(childPath);
    else found.push(...unknownKeys(childSchema, child, childPath));
  }
  return found;
}
