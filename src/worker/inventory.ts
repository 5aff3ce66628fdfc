// A node's state as the runtime reports it, read in one go.
import type { ImageRecord } from "../images/record.ts";
import type { ContainerRecord, CriClient } from "../cri/types.ts";

export interface NodeInventory {
  images: ImageRecord[];
  containers: ContainerRecord[];
  sandboxImage: string | undefined;
}

export async function takeInventory(cri: CriClient): Promise<NodeInventory> {
  const [images, containers, sandboxImage] = await Promise.all([cri.listImages(), cri.listContainers(), cri.sandboxImage()]);
  return { images, containers, sandboxImage };
}
