// ImageList (eraser.sh/v1, also served as v1alpha1): the images to remove in manual mode.
import * as z from "./zod.ts";
import { ObjectMetaSchema } from "./object-meta.ts";

export const ImageListSpecSchema = z.looseObject({
  /** References, image IDs or digests; `"*"` means every unused image (prune). */
  images: z.array(z.string().check(z.minLength(1, "an image entry must not be empty"))),
  /** Beyond Eraser: report what would be removed, remove nothing. */
  dryRun: z.optional(z.boolean()),
});

export const ImageListStatusSchema = z.looseObject({
  timestamp: z.optional(z.union([z.string(), z.date()])),
  success: z.optional(z.int()),
  failed: z.optional(z.int()),
  skipped: z.optional(z.int()),
  observedGeneration: z.optional(z.int()),
  message: z.optional(z.string()),
});

export const ImageListSchema = z.looseObject({
  apiVersion: z.enum(["eraser.sh/v1", "eraser.sh/v1alpha1"]),
  kind: z.literal("ImageList"),
  metadata: ObjectMetaSchema,
  spec: ImageListSpecSchema,
  status: z.optional(ImageListStatusSchema),
});

export type ImageList = z.infer<typeof ImageListSchema>;
export type ImageListStatus = z.infer<typeof ImageListStatusSchema>;

/** The prune marker: every image no container uses. */
export const pruneMarker = "*";
