// The e2e files share each real node's image store (one test ground per tier), and their tests
// count what a job removes. An image one file leaves behind (a test image, or a worker image whose
// tag the next file's import moves, leaving it untagged and unused) becomes a candidate in the
// next file's job and changes its counts. So each stack notes what every real node held when it
// began and, when it stops, removes what was added since: the node is as the file found it.
import type { ImageRecord } from "../../src/images/record.ts";
import { GrpcCriClient } from "../../src/cri/grpc-client.ts";
import type { RealNode } from "./cluster.ts";

export interface ImageStoreGuard {
  /**
   * Removes the images added to each node since the guard began. An image a running container
   * still uses (a pod of the file still going) is waited for up to `waitMs`, then left and named.
   */
  restore(waitMs?: number): Promise<{ removed: number; inUse: string[] }>;
}

async function withCri<T>(node: RealNode, use: (cri: GrpcCriClient) => Promise<T>): Promise<T> {
  const cri = new GrpcCriClient(node.containerd.endpoint);
  try {
    return await use(cri);
  } finally {
    cri.close();
  }
}

const name = (image: ImageRecord): string => image.repoTags[0] ?? image.repoDigests[0] ?? image.id;

/**
 * Removes what `node` holds beyond `before` that no live container uses; returns what one still
 * uses. An exited container's image goes: its pod has gone with the file, and the kubelet removes
 * the container only at its next garbage collection (up to a minute), after which the image would
 * be an unused candidate in the next file's job.
 */
async function removeAdded(node: RealNode, before: ReadonlySet<string>): Promise<{ removed: number; inUse: ImageRecord[] }> {
  return withCri(node, async (cri) => {
    const live = (await cri.listContainers()).filter((c) => c.state === "running" || c.state === "created");
    const used = new Set(live.flatMap((c) => [c.imageRef, c.image]));
    const added = (await cri.listImages()).filter((image) => !before.has(image.id));
    const isUsed = (image: ImageRecord): boolean => [image.id, ...image.repoTags, ...image.repoDigests].some((ref) => used.has(ref));
    let removed = 0;
    for (const image of added.filter((i) => !isUsed(i))) {
      await cri.removeImage(image.id);
      removed++;
    }
    return { removed, inUse: added.filter(isUsed) };
  });
}

/** Notes the images each of `nodes` holds now. */
export async function guardImageStores(nodes: readonly RealNode[]): Promise<ImageStoreGuard> {
  const before = new Map<RealNode, Set<string>>();
  for (const node of nodes) before.set(node, await withCri(node, async (cri) => new Set((await cri.listImages()).map((i) => i.id))));
  return {
    async restore(waitMs = 30_000) {
      const deadline = Date.now() + waitMs;
      let removed = 0;
      for (;;) {
        const inUse: string[] = [];
        for (const [node, held] of before) {
          const pass = await removeAdded(node, held);
          removed += pass.removed;
          inUse.push(...pass.inUse.map((image) => `${node.name}: ${name(image)}`));
        }
        if (inUse.length === 0 || Date.now() >= deadline) return { removed, inUse };
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    },
  };
}
