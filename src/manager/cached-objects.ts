// What the manager's caches keep of each object: the fields its controllers read, nothing else.
// A managed cluster's Node is 10-20 KB of JSON (a kubelet's 50-image status, conditions, managed
// fields) and a finished worker pod several KB; at 5,000 nodes the full objects alone came near the
// manager's 512Mi limit (docs/manager.md). A field a controller starts reading must be added here.
import type { KubernetesObject } from "@kubernetes/client-node";
import * as z from "../api/zod.ts";
import { nullish } from "../api/schema-parts.ts";
import { keepBySchema, type Keep, type KeptBy } from "../k8s/keep.ts";
import { nodeImageKeys } from "./scan-once/node-images.ts";

const labels = z.record(z.string(), z.string());
/** Typed lists give timestamps as Dates, watch events as RFC 3339 strings. */
const timestamp = z.pipe(
  z.union([z.string(), z.date()]),
  z.transform((t) => new Date(t)),
);
const identity = { name: z.string(), namespace: z.optional(z.string()), uid: z.optional(z.string()), resourceVersion: z.optional(z.string()), labels: z.optional(labels) };

const NodeSchema = z.object({
  metadata: z.object(identity),
  spec: z.optional(z.object({ unschedulable: z.optional(z.boolean()) })),
  status: z.optional(
    z.object({
      conditions: z.optional(z.array(z.object({ type: z.string(), status: z.string(), lastTransitionTime: z.optional(timestamp) }))),
      // The kubelet sends `names: null` for an image it knows by no tag or digest (a dangling
      // one): the Go field has no omitempty. Refusing that Node hid it from every job.
      images: z.optional(z.array(z.object({ names: nullish(z.array(z.string())) }))),
    }),
  ),
});

/**
 * The node filter reads a Node's labels; a job's progress reads whether it is Ready and since when
 * (a pod on a node whose kubelet stopped reporting cannot finish), and whether it is cordoned (a
 * drain deletes the pods of a node on its way out). Only the Ready condition is kept, and of the
 * kubelet's image list one number per image, for choosing who scans first (node-images.ts).
 */
export const keepNode = keepBySchema(
  z.pipe(
    NodeSchema,
    z.transform(({ metadata, spec, status }) => {
      const kept: { metadata: typeof metadata; cordoned?: true; ready?: { status: string; since?: Date }; images?: number[] } = { metadata };
      if (spec?.unschedulable === true) kept.cordoned = true;
      const images = nodeImageKeys(status?.images);
      if (images.length > 0) kept.images = images;
      const ready = status?.conditions?.find((c) => c.type === "Ready");
      if (ready !== undefined) kept.ready = { status: ready.status, ...(ready.lastTransitionTime === undefined ? {} : { since: ready.lastTransitionTime }) };
      return kept;
    }),
  ),
);
export type CachedNode = KeptBy<typeof keepNode>;

const reasonAndMessage = { reason: z.optional(z.string()), message: z.optional(z.string()) };

/**
 * A job's progress reads a worker pod's node, phase, age, deletion, and the remover's exit; a node's
 * failure reason reads what the kubelet says of the pod and of each container (pod-trouble.ts).
 */
export const keepPod = keepBySchema(
  z.object({
    metadata: z.object({ ...identity, creationTimestamp: z.optional(timestamp), deletionTimestamp: z.optional(timestamp) }),
    spec: z.optional(z.object({ nodeName: z.optional(z.string()) })),
    status: z.optional(
      z.object({
        phase: z.optional(z.string()),
        ...reasonAndMessage,
        containerStatuses: z.optional(
          z.array(
            z.object({
              name: z.string(),
              state: z.optional(
                z.object({
                  waiting: z.optional(z.object(reasonAndMessage)),
                  terminated: z.optional(z.object({ exitCode: z.number(), ...reasonAndMessage })),
                }),
              ),
            }),
          ),
        ),
      }),
    ),
  }),
);
export type CachedPod = KeptBy<typeof keepPod>;

/** The config source reads a ConfigMap's data; the exclusion lists only their names. */
export const keepConfigMap = keepBySchema(z.object({ metadata: z.object(identity), data: z.optional(z.record(z.string(), z.string())) }));
export type CachedConfigMap = KeptBy<typeof keepConfigMap>;

const KubernetesObjectSchema = z.looseObject({ apiVersion: z.string(), kind: z.string(), metadata: z.looseObject({ name: z.string() }) });

/** ImageLists and ImageJobs are few and re-parsed whole by their controllers: kept as they are. */
export const keepWhole: Keep<KubernetesObject> = (raw) => {
  const parsed = KubernetesObjectSchema.safeParse(raw);
  // The whole object, not the parsed copy: the schema only checked that it is one.
  return parsed.success ? { object: raw as KubernetesObject } : { refused: z.prettifyError(parsed.error) };
};
