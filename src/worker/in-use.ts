// What "in use" means (SPEC §2.3): any container record on the node, in any state, that refers to
// the image by ID, tag or digest. containerd 1.6 reports a container's image as the reference it
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

export function indexUsage(containers: readonly ContainerRecord[]): UsageIndex {
  const refs = new Set<string>();
  for (const c of containers) {
    for (const ref of [c.image, c.imageRef]) {
      if (ref === "") continue;
      refs.add(ref);
      refs.add(normalizeLoosely(ref));
    }
  }
  return {
    isInUse: (image) =>
      refs.has(image.id) || image.repoTags.some((t) => refs.has(t) || refs.has(normalizeLoosely(t))) || image.repoDigests.some((d) => refs.has(d)),
  };
}
