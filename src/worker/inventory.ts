// A node's state as the runtime reports it, read in one go.
import type { ImageRecord } from "../images/record.ts";
import type { ContainerImages, CriClient } from "../cri/types.ts";
import { MountImages } from "./mount-images.ts";

export interface NodeInventory {
  images: ImageRecord[];
  containers: ContainerImages[];
  /** The images the containers mount as image volumes (mount-images.ts). */
  mountImages: string[];
  /**
   * The runtime's configured sandbox image, if it says, and every image a pod sandbox on the node
   * runs: after a change of sandbox image, running pods keep the old one.
   */
  sandboxImages: string[];
}

/** Sandbox status calls in flight at once: a node has at most a few hundred pods. */
const sandboxStatusBatch = 8;

/** `mounts`: shared with the remover's re-checks, so each container's status is asked once. */
export async function takeInventory(cri: CriClient, mounts = new MountImages(cri)): Promise<NodeInventory> {
  const listing = cri.listContainerImages().then(async (containers) => ({ containers, mountImages: await mounts.of(containers) }));
  const [images, { containers, mountImages }, configured, used] = await Promise.all([cri.listImages(), listing, cri.sandboxImage(), imagesOfPodSandboxes(cri)]);
  const sandboxImages = new Set(used);
  if (configured !== undefined) sandboxImages.add(configured);
  return { images, containers, mountImages, sandboxImages: [...sandboxImages] };
}

async function imagesOfPodSandboxes(cri: CriClient): Promise<string[]> {
  const sandboxes = await cri.listPodSandboxes();
  const images: string[] = [];
  for (let start = 0; start < sandboxes.length; start += sandboxStatusBatch) {
    const batch = sandboxes.slice(start, start + sandboxStatusBatch);
    for (const image of await Promise.all(batch.map((sandbox) => cri.podSandboxImage(sandbox.id)))) {
      if (image !== undefined) images.push(image);
    }
  }
  return images;
}
