// ImageJob (eraser.sh/v1, also served as v1alpha1): one cleaning run over the selected nodes.
// No spec; the status is Eraser's plus additive per-node results.
import * as z from "./zod.ts";
import { ObjectMetaSchema } from "./object-meta.ts";

export const imageJobPhases = ["Running", "Completed", "Failed"] as const;
export const ImageJobPhaseSchema = z.enum(imageJobPhases);
export type ImageJobPhase = z.infer<typeof ImageJobPhaseSchema>;

/** How many failed nodes the status lists by name (the counts stay exact). */
export const maxFailedNodesListed = 50;

const count = z.optional(z.int().check(z.nonnegative()));
const timestamp = z.optional(z.union([z.string(), z.date()]));

export const ImageJobStatusSchema = z.looseObject({
  desired: count,
  succeeded: count,
  failed: count,
  skipped: count,
  phase: z.optional(ImageJobPhaseSchema),
  deleteAfter: timestamp,
  // Additive (beyond Eraser):
  mode: z.optional(z.enum(["manual", "automatic"])),
  dryRun: z.optional(z.boolean()),
  removed: count,
  removedBytes: count,
  vulnerable: count,
  scanned: count,
  scansReused: count,
  unjudged: count,
  failedNodes: z.optional(z.array(z.object({ node: z.string(), reason: z.string() })).check(z.maxLength(maxFailedNodesListed))),
  startTime: timestamp,
  completionTime: timestamp,
});

export const ImageJobSchema = z.looseObject({
  apiVersion: z.enum(["eraser.sh/v1", "eraser.sh/v1alpha1"]),
  kind: z.literal("ImageJob"),
  metadata: ObjectMetaSchema,
  status: z.optional(ImageJobStatusSchema),
});

export type ImageJob = z.infer<typeof ImageJobSchema>;
export type ImageJobStatus = z.infer<typeof ImageJobStatusSchema>;
