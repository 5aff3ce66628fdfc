// What "in use" means (SPEC §2.3): any container record on the node, in any state, that refers to
// the image by ID, tag or digest, as its own image or as an image volume it mounts. containerd 1.6 reports a container's image as the reference it
// was created with (`image`) and the ID separately (`imageRef`): both count.
import type { ImageRecord } from "../images/record.ts";
import { normalizeImageReference } from "../images/reference.ts";
import type { ContainerImages } from "../cri/types.ts";

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

/**
 * `mountImages`: what the containers mount as image volumes (mount-images.ts); a mount is a use.
 * `normalized`: each reference's normal form, kept across listings by a caller that indexes often
 * (a node's containers share a few images, and the remover indexes a listing per round trip).
 */
export function indexUsage(containers: readonly ContainerImages[], mountImages: readonly string[] = [], normalized = new Map<string, string>()): UsageIndex {
  const refs = new Set<string>();
  const add = (ref: string): void => {
    if (ref === "" || refs.has(ref)) return;
    refs.add(ref);
    let normal = normalized.get(ref);
    if (normal === undefined) {
      normal = normalizeLoosely(ref);
      normalized.set(ref, normal);
    }
    refs.add(normal);
  };
  for (const container of containers) {
    add(container.image);
    add(container.imageRef);
  }
  for (const ref of mountImages) add(ref);
  return {
    isInUse: (image) =>
      refs.has(image.id) || image.repoTags.some((t) => refs.has(t) || refs.has(normalizeLoosely(t))) || image.repoDigests.some((d) => refs.has(d)),
  };
}
