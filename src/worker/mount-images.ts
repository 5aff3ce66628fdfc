// The images containers mount as image volumes (Kubernetes `volumes[].image`, KEP 4639, on by
// default since 1.35; containerd 2.1 and later). A container record names only the container's own
// image, so ListContainers alone calls a mounted image unused while a running container reads it,
// and the kubelet would have to pull it again for the pod's next container. Each container's
// status says what it mounts. Mounts are fixed when a container is made, so the status is asked
// once per container, and only of containers not seen before: a re-check before a removal then
// costs a status call only for a container that appeared since.
import type { ContainerImages, CriClient } from "../cri/types.ts";
import { periodicCollection } from "./memory.ts";

/** Status calls in flight at once: a node runs at most a few hundred containers. */
const statusBatch = 8;
/** Status calls between two requested collections, as for removals (memory.ts): 300 containers took the remover from 62 to 68 MiB without. */
const statusCallsPerCollection = 100;

export class MountImages {
  readonly #cri: CriClient;
  readonly #asks: boolean;
  readonly #known = new Map<string, readonly string[]>();
  readonly #afterStatusCall = periodicCollection(statusCallsPerCollection);

  /** `asks`: false for a runtime that has no image volumes (image-volume-support.ts): no container mounts an image there. */
  constructor(cri: CriClient, asks = true) {
    this.#cri = cri;
    this.#asks = asks;
  }

  /** Every image the listed containers mount, once each; containers no longer listed are forgotten. */
  async of(containers: readonly ContainerImages[]): Promise<string[]> {
    if (!this.#asks) return [];
    const unknown = containers.filter((c) => !this.#known.has(c.id));
    for (let start = 0; start < unknown.length; start += statusBatch) {
      const batch = unknown.slice(start, start + statusBatch);
      const mounted = await Promise.all(batch.map((c) => this.#cri.containerMountImages(c.id)));
      // A container gone since the listing mounts nothing any more.
      batch.forEach((c, i) => {
        this.#known.set(c.id, mounted[i] ?? []);
        this.#afterStatusCall();
      });
    }
    const listed = new Set(containers.map((c) => c.id));
    for (const id of this.#known.keys()) if (!listed.has(id)) this.#known.delete(id);
    return [...new Set(containers.flatMap((c) => this.#known.get(c.id) ?? []))];
  }
}
