// What the manager's caches keep of each object: the fields its controllers read, nothing else.
// A managed cluster's Node is 10-20 KB of JSON (a kubelet's 50-image status, conditions, managed
// fields) and a finished worker pod several KB; at 5,000 nodes the full objects alone came near the
// manager's 512Mi limit (docs/manager.md). A field a controller starts reading must be added here
// (Nodes: cached-node.ts).
import type { KubernetesObject } from "@kubernetes/client-node";
import * as z from "../api/zod.ts";
import { podImagesAnnotation } from "../api/worker-contract.ts";
import { apiTimestamp, keepBySchema, objectIdentity, type Keep, type KeptBy } from "../k8s/keep.ts";
export { keepNode, type CachedNode } from "./cached-node.ts";

const reasonAndMessage = { reason: z.optional(z.string()), message: z.optional(z.string()) };

/**
 * A job's progress reads a worker pod's node, phase, age, deletion, and the remover's exit; a node's
 * failure reason reads what the kubelet says of the pod and of each container (pod-trouble.ts).
 */
export const keepPod = keepBySchema(
  z.object({
    metadata: z.object({
      ...objectIdentity,
      creationTimestamp: z.optional(apiTimestamp),
      deletionTimestamp: z.optional(apiTimestamp),
      // Only whether the images after the scan are set (ADR 0023), as "set": the list can be KBs a pod.
      annotations: z.optional(z.object({ [podImagesAnnotation]: z.optional(z.pipe(z.string(), z.transform(() => "set"))) })),
    }),
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
export const keepConfigMap = keepBySchema(z.object({ metadata: z.object(objectIdentity), data: z.optional(z.record(z.string(), z.string())) }));
export type CachedConfigMap = KeptBy<typeof keepConfigMap>;

const KubernetesObjectSchema = z.looseObject({ apiVersion: z.string(), kind: z.string(), metadata: z.looseObject({ name: z.string() }) });

/** ImageLists and ImageJobs are few and re-parsed whole by their controllers: kept as they are. */
export const keepWhole: Keep<KubernetesObject> = (raw) => {
  const parsed = KubernetesObjectSchema.safeParse(raw);
  // The whole object, not the parsed copy: the schema only checked that it is one.
  return parsed.success ? { object: raw as KubernetesObject } : { refused: z.prettifyError(parsed.error) };
};
