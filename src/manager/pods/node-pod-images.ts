// The images the pods on one node name (ADR 0019), read when the manager makes that node's worker
// pod and handed to its collector and remover as `--pod-image`: the images of its containers and
// of its image volumes. A container that does not exist yet holds no image in the runtime's
// records: an init container still running, a ConfigMap not there yet, a container about to
// restart. Its image looks unused to the CRI, and on a node that
// cannot pull it again (air-gapped, `imagePullPolicy: Never`) removing it breaks the pod.
import type { V1Pod } from "@kubernetes/client-node";
import * as z from "../../api/zod.ts";
import type { Apis } from "../../k8s/client.ts";
import { describeError, statusCode } from "../../k8s/errors.ts";
import { continueFrom, listPageSize } from "../../k8s/paged-list.ts";
import { buildWorkerPod, type PodInputs } from "./build.ts";

export type { PodInputs };

const containers = z.optional(z.array(z.object({ image: z.optional(z.string()) })));
const PodImagesSchema = z.object({
  metadata: z.optional(z.object({ name: z.optional(z.string()), namespace: z.optional(z.string()) })),
  spec: z.optional(
    z.object({
      initContainers: containers,
      containers,
      ephemeralContainers: containers,
      // Image volumes (KEP 4639): the kubelet pulls them before the pod's first container.
      volumes: z.optional(z.array(z.object({ image: z.optional(z.object({ reference: z.optional(z.string()) })) }))),
    }),
  ),
  status: z.optional(z.object({ phase: z.optional(z.string()) })),
});

/** Pods that are done run nothing again; every other pod may still start any of its containers. */
const finishedPhases = new Set(["Succeeded", "Failed"]);

/** Every image the given pods name, once each, sorted; finished pods name none. */
export function imagesNamedBy(pods: readonly unknown[]): string[] {
  const images = new Set<string>();
  for (const raw of pods) for (const image of imagesOf(raw)) images.add(image);
  return [...images].sort();
}

type PodSpecImages = NonNullable<z.infer<typeof PodImagesSchema>["spec"]>;
const containerImages = (spec: PodSpecImages): string[] => [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])].map((c) => c.image ?? "");
const volumeImages = (spec: PodSpecImages): string[] => (spec.volumes ?? []).map((v) => v.image?.reference ?? "");

function imagesOf(raw: unknown): string[] {
  const parsed = PodImagesSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`a pod cannot be read for its images: ${z.prettifyError(parsed.error)}`);
  const { spec, status } = parsed.data;
  if (finishedPhases.has(status?.phase ?? "") || spec === undefined) return [];
  return [...containerImages(spec), ...volumeImages(spec)].filter((image) => image !== "");
}

/** A failed listing: the node gets no worker pod for now (its pods' images are unknown). */
export class NodePodsUnknownError extends Error {
  override readonly name = "NodePodsUnknownError";
  /** The API server's status, so a refusal (RBAC) is told from a failure that may pass. */
  readonly code: number | undefined;

  constructor(node: string, cause: unknown) {
    super(`could not list the pods on node ${node}, whose images the worker must keep: ${describeError(cause)}`, { cause });
    this.code = statusCode(cause);
  }
}

/** The images named by the node's pods that have not finished, as the API server has them now. */
export async function listNodePodImages(apis: Apis, node: string): Promise<string[]> {
  const fieldSelector = `spec.nodeName=${node},status.phase!=Succeeded,status.phase!=Failed`;
  const pods: unknown[] = [];
  let token: string | undefined;
  try {
    do {
      const page = await apis.core.listPodForAllNamespaces({ fieldSelector, resourceVersion: "0", limit: listPageSize, ...continueFrom(token) });
      pods.push(...page.items);
      token = page.metadata?._continue === "" ? undefined : page.metadata?._continue;
    } while (token !== undefined);
  } catch (error) {
    throw new NodePodsUnknownError(node, error);
  }
  return imagesNamedBy(pods);
}

/** The node's worker pod, with the images its pods name (a failed listing makes none). */
export async function buildWorkerPodWithPodImages(apis: Apis, inputs: Omit<PodInputs, "podImages">): Promise<V1Pod> {
  return buildWorkerPod({ ...inputs, podImages: await listNodePodImages(apis, inputs.nodeName) });
}
