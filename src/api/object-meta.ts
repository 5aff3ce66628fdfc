import * as z from "./zod.ts";

const timestamp = z.optional(z.union([z.string(), z.date()]));
const stringMap = z.optional(z.record(z.string(), z.string()));

/** The metadata fields the operator reads; the API server sends more, which pass through. */
export const ObjectMetaSchema = z.looseObject({
  name: z.string(),
  namespace: z.optional(z.string()),
  uid: z.optional(z.string()),
  resourceVersion: z.optional(z.string()),
  generation: z.optional(z.int()),
  creationTimestamp: timestamp,
  deletionTimestamp: timestamp,
  labels: stringMap,
  annotations: stringMap,
  ownerReferences: z.optional(
    z.array(z.looseObject({ apiVersion: z.string(), kind: z.string(), name: z.string(), uid: z.string(), controller: z.optional(z.boolean()) })),
  ),
});
