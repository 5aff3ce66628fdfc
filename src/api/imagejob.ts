// ImageJob (eraser.sh/v1, also served as v1alpha1): one cleaning run over the selected nodes.
// No spec; the status is Eraser's plus additive per-node results.
import { z } from "zod";
import { ObjectMetaSchema } from "./object-meta.ts";

export const imageJobPhases = ["Running", "Completed", "Failed"] as const;
export const ImageJobPhaseSchema = z.enum(imageJobPhases);
export type ImageJobPhase = z.infer<typeof ImageJobPhaseSchema>;

/** How many failed nodes the status lists by name (the counts stay exact). */
export const maxFailedNodesListed = 50;

export const ImageJobStatusSchema = z.looseObject({
  desired: z.number().int().nonnegative().optional(),
  succeeded: z.number().int().nonnegative().optional(),
  failed: z.number().int().nonnegative().optional(),
  skipped: z.number().int().nonnegative().optional(),
  phase: ImageJobPhaseSchema.optional(),
  deleteAfter: z.union([z.string(), z.date()]).optional(),
  // Additive (beyond Eraser):
  mode: z.enum(["manual", "automatic"]).optional(),
  dryRun: z.boolean().optional(),
  removed: z.number().int().nonnegative().optional(),
  removedBytes: z.number().int().nonnegative().optional(),
  vulnerable: z.number().int().nonnegative().optional(),
  failedNodes: z.array(z.object({ node: z.string(), reason: z.string() })).max(maxFailedNodesListed).optional(),
  startTime: z.union([z.string(), z.date()]).optional(),
  completionTime: z.union([z.string(), z.date()]).optional(),
});

export const ImageJobSchema = z.looseObject({
  apiVersion: z.enum(["eraser.sh/v1", "eraser.sh/v1alpha1"]),
  kind: z.literal("ImageJob"),
  metadata: ObjectMetaSchema,
  status: ImageJobStatusSchema.optional(),
});

export type ImageJob = z.infer<typeof ImageJobSchema>;
export type ImageJobStatus = z.infer<typeof ImageJobStatusSchema>;
