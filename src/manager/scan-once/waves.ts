// Which nodes scan first when a run scans each image once (SPEC §3). The first wave is spread
// evenly over the job's sorted nodes rather than taken from the front: node names carry their
// pool (aks-<pool>-...), and nodes of different pools tend to hold different images.
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
