// Older EraserConfig versions, converted to the v1alpha3 document shape before defaults apply.
import type * as z from "../zod.ts";
import type { V1Alpha1Schema, V1Alpha2Schema, V1Alpha3Document } from "./document-schema.ts";

export function fromV1Alpha2(doc: z.infer<typeof V1Alpha2Schema>): V1Alpha3Document {
  const { manager, ...rest } = doc;
  if (manager === undefined || manager === null) return { ...rest, manager };
  const { runtime, ...others } = manager;
  // A plain runtime name keeps that runtime's default socket address.
  return { ...rest, manager: runtime === undefined ? others : { ...others, runtime: { name: runtime } } };
}

export function fromV1Alpha1(doc: z.infer<typeof V1Alpha1Schema>): V1Alpha3Document {
  const { components, ...rest } = doc;
  if (components === undefined || components === null) return fromV1Alpha2(rest);
  const { eraser, ...others } = components;
  return fromV1Alpha2({ ...rest, components: eraser === undefined ? others : { ...others, remover: eraser } });
}
