// What the manager's node cache keeps of a Node: its name and labels (the node filter), and three
// hints from its spec and status: cordoned (a drain), Ready and since when (a job's progress), and
// one number per listed image (who scans first, scan-once/node-images.ts).
//
// Only the name and labels are required. A status field of a shape the schema does not expect
// leaves that hint unknown and the Node kept, with the field named in `unread`: refusing the whole
// Node hid it from every job (`names: null` for a dangling image did; so does the `null` the API
// server writes for a condition's missing `lastTransitionTime`). Each hint is advisory: the
// worker decides what to remove from the runtime itself, and an unknown readiness only means the
// pod timeout, not the NotReady grace, ends a stuck pod.
import * as z from "../api/zod.ts";
import { nullish } from "../api/schema-parts.ts";
import { apiTimestamp, dropUndefined, objectIdentity, type Keep, type Kept } from "../k8s/keep.ts";
import { nodeImageKeys, type StatusImage } from "./scan-once/node-images.ts";

const NodeMetadata = z.object(objectIdentity);
const NodeShell = z.object({ metadata: NodeMetadata, spec: z.optional(z.unknown()), status: z.optional(z.unknown()) });
const Spec = z.object({ unschedulable: nullish(z.boolean()) });
const StatusList = nullish(z.array(z.unknown()));
const ReadyCondition = z.object({ status: z.string(), lastTransitionTime: nullish(apiTimestamp) });
// The kubelet sends `names: null` for an image it knows by no tag or digest (the Go field has no
// omitempty).
const ListedImage = z.object({ names: nullish(z.array(z.string())) });

export interface CachedNode {
  metadata: Kept<z.output<typeof NodeMetadata>>;
  cordoned?: true;
  ready?: { status: string; since?: Date };
  images?: number[];
}

type Hints = Omit<CachedNode, "metadata">;

function problem(field: string, error: z.core.$ZodError): string {
  return `${field}: ${z.prettifyError(error).replaceAll("\n", " ")}`;
}

function readReady(conditions: readonly unknown[], hints: Hints, unread: string[]): void {
  const ready = conditions.find((c) => typeof c === "object" && c !== null && (c as { type?: unknown }).type === "Ready");
  if (ready === undefined) return;
  const parsed = ReadyCondition.safeParse(ready);
  if (!parsed.success) {
    unread.push(problem("status.conditions[Ready]", parsed.error));
    return;
  }
  const since = parsed.data.lastTransitionTime;
  hints.ready = { status: parsed.data.status, ...(since === undefined || since === null || Number.isNaN(since.getTime()) ? {} : { since }) };
}

function readImages(listed: readonly unknown[], hints: Hints, unread: string[]): void {
  const images: StatusImage[] = [];
  let unreadable = 0;
  for (const entry of listed) {
    const parsed = ListedImage.safeParse(entry);
    if (parsed.success) images.push(parsed.data);
    else unreadable++;
  }
  if (unreadable > 0) unread.push(`status.images: ${unreadable} of ${listed.length} entries are not {names: string[]}`);
  const keys = nodeImageKeys(images);
  if (keys.length > 0) hints.images = keys;
}

/** A list in the status, each read on its own so that one of another shape leaves the other known. */
function statusList(status: unknown, field: "conditions" | "images", unread: string[]): readonly unknown[] | undefined {
  const parsed = StatusList.safeParse((status as Record<string, unknown>)[field]);
  if (parsed.success) return parsed.data ?? undefined;
  unread.push(problem(`status.${field}`, parsed.error));
  return undefined;
}

function readStatus(status: unknown, hints: Hints, unread: string[]): void {
  if (status === undefined || status === null) return;
  if (typeof status !== "object" || Array.isArray(status)) {
    unread.push(`status: expected an object, received ${Array.isArray(status) ? "array" : typeof status}`);
    return;
  }
  const conditions = statusList(status, "conditions", unread);
  if (conditions !== undefined) readReady(conditions, hints, unread);
  const images = statusList(status, "images", unread);
  if (images !== undefined) readImages(images, hints, unread);
}

function readSpec(spec: unknown, hints: Hints, unread: string[]): void {
  if (spec === undefined || spec === null) return;
  const parsed = Spec.safeParse(spec);
  if (!parsed.success) unread.push(problem("spec.unschedulable", parsed.error));
  else if (parsed.data.unschedulable === true) hints.cordoned = true;
}

export const keepNode: Keep<CachedNode> = (raw) => {
  const shell = NodeShell.safeParse(raw);
  if (!shell.success) return { refused: z.prettifyError(shell.error) };
  const hints: Hints = {};
  const unread: string[] = [];
  readSpec(shell.data.spec, hints, unread);
  readStatus(shell.data.status, hints, unread);
  // Sound: dropUndefined leaves exactly the keys Kept<> describes.
  const node: CachedNode = { metadata: dropUndefined(shell.data.metadata) as CachedNode["metadata"], ...hints };
  return unread.length === 0 ? { object: node } : { object: node, unread };
};
