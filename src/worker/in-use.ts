// What "in use" means (SPEC §2.3): any container record on the node, in any state, that refers to
// the image by ID, tag or digest, as its own image or as an image volume it mounts. containerd 1.6 reports a container's image as the reference it
// was created with (`image`) and the ID separately (`imageRef`): both count.
import type { ImageRecord } from "../images/record.ts";
import { normalizeImageReference } from "../images/reference.ts";
import type { ContainerRecord } from "../cri/types.ts";

export interface UsageIndex {
  isInUse(image: ImageRecord): boolean;
}

function normalizeLoosely(ref: string): string {
  try {
    return normalizeImageReference(ref);
  } catch {
    return ref;
  }
}

/** `mountImages`: what the containers mount as image volumes (mount-images.ts); a mount is a use. */
export function indexUsage(containers: readonly ContainerRecord[], mountImages: readonly string[] = []): UsageIndex {
  const refs = new Set<string>();
  for (const ref of [...containers.flatMap((c) => [c.image, c.imageRef]), ...mountImages]) {
    if (ref === "") continue;
    refs.add(ref);
    refs.add(normalizeLoosely(ref));
  }
  return {
    isInUse: (image) =>
      refs.has(image.id) || image.repoTags.some((t) => refs.has(t) || refs.has(normalizeLoosely(t))) || image.repoDigests.some((d) => refs.has(d)),
  };
}
