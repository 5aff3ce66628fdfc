// The manager's view of the cluster: one resilient informer per kind it reads, each event routed
// to the queue that cares. Controllers read these caches and write through the API.
import type { KubeConfig, KubernetesListObject, KubernetesObject, V1ConfigMap, V1Node, V1Pod } from "@kubernetes/client-node";
import * as z from "../api/zod.ts";
import { group, imageJobPlural, imageListPlural, storageVersion } from "../api/group.ts";
import { ImageJobSchema, type ImageJob } from "../api/imagejob.ts";
import { ImageListSchema, type ImageList } from "../api/imagelist.ts";
import { labels } from "../api/worker-contract.ts";
import type { Apis } from "../k8s/client.ts";
import { ResilientInformer } from "../k8s/informer.ts";
import type { Logger } from "../observability/logger.ts";

export interface StateEvents {
  imageList: (name: string) => void;
  imageJob: (name: string) => void;
  nodesChanged: () => void;
}

const ListSchema = z.object({ metadata: z.optional(z.looseObject({ resourceVersion: z.optional(z.string()) })), items: z.array(z.unknown()) });
const ObjectSchema = z.looseObject({ apiVersion: z.string(), kind: z.string(), metadata: z.looseObject({ name: z.string() }) });

/** A checked narrowing: the full object stays (controllers re-parse it with its own schema). */
function isKubernetesObject(item: unknown): item is KubernetesObject {
  return ObjectSchema.safeParse(item).success;
}

/** Lists a cluster-scoped custom resource, keeping only items that parse (bad ones are logged). */
function customList(apis: Apis, plural: string): () => Promise<KubernetesListObject<KubernetesObject>> {
  return async () => {
    const raw: unknown = await apis.custom.listClusterCustomObject({ group, version: storageVersion, plural });
    const list = ListSchema.parse(raw);
    const resourceVersion = list.metadata?.resourceVersion;
    return { apiVersion: "v1", kind: "List", metadata: resourceVersion === undefined ? {} : { resourceVersion }, items: list.items.filter(isKubernetesObject) };
  };
}

export class ClusterState {
  readonly imageLists: ResilientInformer<KubernetesObject>;
  readonly imageJobs: ResilientInformer<KubernetesObject>;
  readonly pods: ResilientInformer<V1Pod>;
  readonly nodes: ResilientInformer<V1Node>;
  readonly configMaps: ResilientInformer<V1ConfigMap>;
  readonly #logger: Logger;

  constructor(kc: KubeConfig, apis: Apis, namespace: string, logger: Logger, events: StateEvents) {
    this.#logger = logger;
    const name = (o: KubernetesObject): string => o.metadata?.name ?? "";
    this.imageLists = new ResilientInformer({
      kubeConfig: kc,
      path: `/apis/${group}/${storageVersion}/${imageListPlural}`,
      list: customList(apis, imageListPlural),
      logger: logger.child({ informer: "imagelists" }),
      onEvent: (_t, o) => {
        events.imageList(name(o));
      },
    });
    this.imageJobs = new ResilientInformer({
      kubeConfig: kc,
      path: `/apis/${group}/${storageVersion}/${imageJobPlural}`,
      list: customList(apis, imageJobPlural),
      logger: logger.child({ informer: "imagejobs" }),
      onEvent: (_t, o) => {
        events.imageJob(name(o));
        const owner = o.metadata?.ownerReferences?.find((r) => r.kind === "ImageList");
        if (owner !== undefined) events.imageList(owner.name);
      },
    });
    this.pods = new ResilientInformer<V1Pod>({
      kubeConfig: kc,
      path: `/api/v1/namespaces/${namespace}/pods`,
      list: () => apis.core.listNamespacedPod({ namespace, labelSelector: labels.job }),
      labelSelector: labels.job,
      logger: logger.child({ informer: "pods" }),
      onEvent: (_t, pod) => {
        const job = pod.metadata?.labels?.[labels.job];
        if (job !== undefined) events.imageJob(job);
      },
    });
    this.nodes = new ResilientInformer<V1Node>({
      kubeConfig: kc,
      path: "/api/v1/nodes",
      list: () => apis.core.listNode({}),
      logger: logger.child({ informer: "nodes" }),
      onEvent: () => {
        events.nodesChanged();
      },
    });
    this.configMaps = new ResilientInformer<V1ConfigMap>({
      kubeConfig: kc,
      path: `/api/v1/namespaces/${namespace}/configmaps`,
      list: () => apis.core.listNamespacedConfigMap({ namespace, labelSelector: `${labels.excludeList}=true` }),
      labelSelector: `${labels.excludeList}=true`,
      logger: logger.child({ informer: "exclusion-configmaps" }),
      onEvent: () => undefined,
    });
  }

  #informers(): ResilientInformer<KubernetesObject>[] {
    return [this.imageLists, this.imageJobs, this.pods, this.nodes, this.configMaps];
  }

  async start(): Promise<void> {
    await Promise.all(this.#informers().map((i) => i.start()));
  }

  get synced(): boolean {
    return this.#informers().every((i) => i.synced);
  }

  async stop(): Promise<void> {
    await Promise.all(this.#informers().map((i) => i.stop()));
  }

  imageList(name: string): ImageList | undefined {
    return this.#parse(ImageListSchema, this.imageLists.get(name), "ImageList");
  }

  imageJob(name: string): ImageJob | undefined {
    return this.#parse(ImageJobSchema, this.imageJobs.get(name), "ImageJob");
  }

  allImageJobs(): ImageJob[] {
    return this.imageJobs.list().flatMap((o) => this.#parse(ImageJobSchema, o, "ImageJob") ?? []);
  }

  podsOfJob(job: string): V1Pod[] {
    return this.pods.list().filter((p) => p.metadata?.labels?.[labels.job] === job && p.metadata.deletionTimestamp === undefined);
  }

  exclusionConfigMaps(): string[] {
    return this.configMaps.list().map((c) => c.metadata?.name ?? "").filter((n) => n !== "").sort();
  }

  #parse<T>(schema: z.ZodMiniType<T>, raw: unknown, kind: string): T | undefined {
    if (raw === undefined) return undefined;
    const parsed = schema.safeParse(raw);
    if (parsed.success) return parsed.data;
    this.#logger.warn({ kind, problem: z.prettifyError(parsed.error) }, "Ignoring an object that does not match its schema");
    return undefined;
  }
}
