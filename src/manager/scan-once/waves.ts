// Which nodes scan first when a run scans each image once (SPEC §3). A first-wave verdict saves a
// scan on every other node that holds the image, so the first wave is chosen by the images the
// nodes' kubelets list: greedily, the node whose images not yet covered are held by the most other
// nodes. Where the lists say nothing more (none reported, or every image already covered), the
// rest is spread evenly over the sorted names, which carry the pool (aks-<pool>-...).
import type { EraserConfig } from "../../api/config/types.ts";

/** Staging pays only when there are nodes after the first wave, and only automatic runs scan. */
export function scanOnceApplies(mode: "manual" | "automatic", config: EraserConfig, targetCount: number): boolean {
  const { collector, scanner } = config.components;
  const { enabled, firstWaveNodes } = scanner.config.scanOnce;
  return mode === "automatic" && collector.enabled && scanner.enabled && enabled && targetCount > firstWaveNodes;
}

/** `size` of `targets` (already sorted), evenly spaced, always including the first. */
export function firstWave(targets: readonly string[], size: number): string[] {
  if (size >= targets.length) return [...targets];
  const picked = new Set<string>();
  for (let i = 0; i < size; i++) picked.add(targets[Math.floor((i * targets.length) / size)] ?? "");
  picked.delete("");
  return [...picked];
}

/** A node's image keys (node-images.ts), or undefined when its Node lists none. */
export type ImagesOf = (node: string) => readonly number[] | undefined;

export interface ChosenWave {
  nodes: string[];
  /** Distinct images the chosen nodes hold that other nodes hold too, and how many there are. */
  shared: { covered: number; of: number };
}

function holdersOf(targets: readonly string[], imagesOf: ImagesOf): Map<number, number> {
  const holders = new Map<number, number>();
  for (const node of targets) for (const image of imagesOf(node) ?? []) holders.set(image, (holders.get(image) ?? 0) + 1);
  return holders;
}

/** The scans a first-wave verdict from `node` would save elsewhere, for images not yet covered. */
function savedScans(images: readonly number[], holders: ReadonlyMap<number, number>, covered: ReadonlySet<number>): number {
  let saved = 0;
  for (const image of images) if (!covered.has(image)) saved += (holders.get(image) ?? 1) - 1;
  return saved;
}

interface Candidate {
  node: string;
  index: number;
  /** Scans it would save, as of when it was last counted: an upper bound, as coverage only grows. */
  saved: number;
}

const before = (a: Candidate, b: Candidate): boolean => a.saved > b.saved || (a.saved === b.saved && a.index < b.index);

function insert(queue: Candidate[], candidate: Candidate): void {
  let low = 0;
  let high = queue.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    const there = queue[mid];
    if (there !== undefined && before(there, candidate)) low = mid + 1;
    else high = mid;
  }
  queue.splice(low, 0, candidate);
}

/**
 * Greedy cover, lazily: a node's saving only falls as others are picked, so only the head of the
 * queue is counted again, and it is picked when its fresh count still leads (firstWaveNodes may be
 * up to 1,000 of 5,000 nodes).
 */
function greedy(targets: readonly string[], size: number, imagesOf: ImagesOf, holders: ReadonlyMap<number, number>, covered = new Set<number>()): { picked: string[]; covered: Set<number> } {
  const queue = targets.map((node, index): Candidate => ({ node, index, saved: savedScans(imagesOf(node) ?? [], holders, covered) })).sort((a, b) => (before(a, b) ? -1 : 1));
  const picked: string[] = [];
  while (picked.length < size) {
    const head = queue.shift();
    if (head === undefined || head.saved === 0) break;
    const saved = savedScans(imagesOf(head.node) ?? [], holders, covered);
    if (saved === head.saved) {
      picked.push(head.node);
      for (const image of imagesOf(head.node) ?? []) covered.add(image);
    } else insert(queue, { ...head, saved });
  }
  return { picked, covered };
}

/** `size` of `targets` (sorted) chosen by the images they hold; ties go to the first by name. */
export function firstWaveByImages(targets: readonly string[], size: number, imagesOf: ImagesOf): ChosenWave {
  const wanted = Math.min(size, targets.length);
  const holders = holdersOf(targets, imagesOf);
  const { picked, covered } = greedy(targets, wanted, imagesOf, holders);
  const chosen = new Set(picked);
  for (const node of [...firstWave(targets, size), ...targets]) {
    if (chosen.size >= wanted) break;
    chosen.add(node);
  }
  const shared = (image: number): boolean => (holders.get(image) ?? 0) > 1;
  return { nodes: targets.filter((node) => chosen.has(node)), shared: { covered: [...covered].filter(shared).length, of: [...holders.keys()].filter(shared).length } };
}

/**
 * Who scans first in place of first-wave nodes that will share nothing (they left, were drained,
 * or have no pod: `unavailable`): the nodes that add most to what the rest of the wave covers,
 * as many as were lost, and none that would add nothing. `targets` sorted, as the job started.
 */
export function replacementsFor(targets: readonly string[], wave: readonly string[], unavailable: ReadonlySet<string>, imagesOf: ImagesOf): string[] {
  const standing = wave.filter((node) => !unavailable.has(node));
  const inWave = new Set(wave);
  const available = targets.filter((node) => !unavailable.has(node));
  const covered = new Set(standing.flatMap((node) => imagesOf(node) ?? []));
  const candidates = available.filter((node) => !inWave.has(node));
  return greedy(candidates, wave.length - standing.length, imagesOf, holdersOf(available, imagesOf), covered).picked;
}
