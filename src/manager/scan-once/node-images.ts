// What a Node's status says it holds, kept small enough for a 5,000-node cache: one number per
// image in the kubelet's list (its largest 50 by default, --node-status-max-images), used only to
// choose which nodes scan first (waves.ts). The key is the image's manifest digest where the
// kubelet gives one, so a mirror's copy of an image counts as the same image; else its first name.
// A 30-bit hash: small integers stay unboxed in V8's arrays, and a rare collision only makes one
// node look a little more alike another, which can only change who scans first, never a verdict.

/**
 * At most this many images a node: the kubelet lists its largest first, 50 by default, but
 * `--node-status-max-images=-1` lists them all, and the cache must stay small at 5,000 nodes.
 */
export const maxImagesPerNode = 100;

export interface StatusImage {
  names?: readonly string[] | null | undefined;
}

function key(names: readonly string[]): string | undefined {
  const pinned = names.find((n) => n.includes("@sha256:"));
  if (pinned !== undefined) return pinned.slice(pinned.indexOf("@") + 1);
  return names[0];
}

/** FNV-1a, folded to 30 bits. */
function hash30(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) & 0x3fffffff;
}

/** One key per distinct image of a Node's `status.images` (its first 100), sorted; empty when it lists none. */
export function nodeImageKeys(images: readonly StatusImage[] | undefined): number[] {
  const keys = new Set<number>();
  for (const image of (images ?? []).slice(0, maxImagesPerNode)) {
    const k = key(image.names ?? []);
    if (k !== undefined) keys.add(hash30(k));
  }
  return [...keys].sort((a, b) => a - b);
}
