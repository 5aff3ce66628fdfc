// Which images a node removes, and why each other image stays: a pure function of the node's
// inventory, the request, the exclusions and the worker's own images.
import type { KeptReason } from "../api/node-result.ts";
import { compileImagePattern, type ImagePattern } from "../images/match.ts";
import { PatternSet } from "../images/pattern-set.ts";
import type { ImageRecord } from "../images/record.ts";
import { indexUsage } from "./in-use.ts";
import type { NodeInventory } from "./inventory.ts";

export type Request = { kind: "prune" } | { kind: "list"; patterns: readonly ImagePattern[] };

export interface Decision {
  remove: ImageRecord[];
  kept: { image: ImageRecord; reason: KeptReason; detail?: string }[];
}

/** `["*"]` (or any list containing "*") prunes; other entries are references, IDs or digests. */
export function requestFromList(entries: readonly string[]): Request {
  if (entries.includes("*")) return { kind: "prune" };
  return { kind: "list", patterns: entries.map(compileImagePattern) };
}

/** Images kept whatever the request: the worker's own, and those the node's pods name (ADR 0019). */
export interface ProtectedImages {
  selfImages: readonly ImagePattern[];
  podImages: readonly ImagePattern[];
}

export function decide(inventory: NodeInventory, request: Request, exclusions: readonly ImagePattern[], protect: ProtectedImages): Decision {
  const usage = indexUsage(inventory.containers, inventory.mountImages);
  const sandboxes = inventory.sandboxImages.map(compileSandboxPattern).filter((pattern) => pattern !== undefined);
  // Sets, not arrays: a listed or excluded set of thousands is looked up, not searched (pattern-set.ts).
  const listed = request.kind === "list" ? new PatternSet(request.patterns) : undefined;
  const podImages = new PatternSet(protect.podImages);
  const selfImages = new PatternSet(protect.selfImages);
  const excluded = new PatternSet(exclusions);
  const decision: Decision = { remove: [], kept: [] };
  for (const image of inventory.images) {
    const keep = (reason: KeptReason, detail?: string): void => {
      decision.kept.push(detail === undefined ? { image, reason } : { image, reason, detail });
    };
    if (listed !== undefined && listed.find(image) === undefined) keep("not-listed");
    else if (usage.isInUse(image)) keep("in-use");
    else if (podImages.find(image) !== undefined) keep("awaited");
    else if (sandboxes.some((sandbox) => sandbox.matches(image))) keep("sandbox");
    else if (image.pinned) keep("pinned");
    else if (selfImages.find(image) !== undefined) keep("self");
    else {
      const exclusion = excluded.find(image);
      if (exclusion === undefined) decision.remove.push(image);
      else keep("excluded", exclusion.source);
    }
  }
  return decision;
}

function compileSandboxPattern(ref: string): ImagePattern | undefined {
  try {
    return compileImagePattern(ref);
  } catch {
    return undefined;
  }
}
