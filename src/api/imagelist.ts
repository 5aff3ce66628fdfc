// ImageList (eraser.sh/v1, also served as v1alpha1): the images to remove in manual mode.
import { z } from "zod";
import { ObjectMetaSchema } from "./object-meta.ts";

export const ImageListSpecSchema = z.looseObject({
  /** References, image IDs or digests; `"*"` means every unused image (prune). */
  images: z.array(z.string().min(1, "an image entry must not be empty")),
  /** Beyond Eraser: report what would be removed, remove nothing. */
  dryRun: z.boolean().optional(),
});

export const ImageListStatusSchema = z.looseObject({
  timestamp: z.union([z.string(), z.date()]).optional(),
  success: z.number().int().optional(),
  failed: z.number().int().optional(),
  skipped: z.number().int().optional(),
  observedGeneration: z.number().int().optional(),
  message: z.string().optional(),
});

export const ImageListSchema = z.looseObject({
  apiVersion: z.enum(["eraser.sh/v1", "eraser.sh/v1alpha1"]),
  kind: z.literal("ImageList"),
  metadata: ObjectMetaSchema,
  spec: ImageListSpecSchema,
  status: ImageListStatusSchema.optional(),
});

export type ImageList = z.infer<typeof ImageListSchema>;
export type ImageListStatus = z.infer<typeof ImageListStatusSchema>;

/** The prune marker: every image no container uses. */
export const pruneMarker = "*";
