// The manager's view of the cluster: one resilient informer per kind it reads, each event routed
// to the queue that cares. Controllers read these caches and write through the API.
import type { KubeConfig, KubernetesObject } from "@kubernetes/client-node";
import * as z from "../api/zod.ts";
import { group, imageJobPlural, imageListPlural, storageVersion } from "../api/group.ts";
import { ImageJobSchema, type ImageJob } from "../api/imagejob.ts";
import { ImageListSchema, type ImageList } from "../api/imagelist.ts";
import { labels } from "../api/worker-contract.ts";
import type { Apis } from "../k8s/client.ts";
import { ResilientInformer } from "../k8s/informer.ts";
import { continueFrom, listedPage, type ListedPage, type ListPage } from "../k8s/paged-list.ts";
import { keepConfigMap, keepNode, keepPod, keepWhole, type CachedConfigMap, type CachedNode, type CachedPod } from "./cached-objects.ts";
import type { Logger } from "../observability/logger.ts";
import type { NodeReadiness } from "./controllers/pod-deadline.ts";

export interface StateEvents {
  imageList: (name: string) => void;
  imageJob: (name: string) => void;
  /** A node left the cluster: a running job may be waiting on it. */
  nodeDeleted: (name: string) => void;
}

const ListSchema = z.object({
  metadata: z.optional(z.object({ resourceVersion: z.optional(z.string()), continue: z.optional(z.string()) })),
  items: z.array(z.unknown()),
});

/** Lists one page of a cluster-scoped custom resource. */
function customList(apis: Apis, plural: string): (page: ListPage) => Promise<ListedPage> {
  return async ({ limit, continueToken }) => {
    const raw: unknown = await apis.custom.listClusterCustomObject({ group, version: storageVersion, plural, limit, ...continueFrom(continueToken) });
    const list = ListSchema.parse(raw);
    return { items: list.items, resourceVersion: list.metadata?.resourceVersion, continueToken: list.metadata?.continue };
  };
}

export class ClusterState {
  readonly imageLists: ResilientInformer<KubernetesObject>;
  readonly imageJobs: ResilientInformer<KubernetesObject>;
  readonly pods: ResilientInformer<CachedPod>;
  readonly nodes: ResilientInformer<CachedNode>;
  readonly configMaps: ResilientInformer<CachedConfigMap>;
  readonly #logger: Logger;

  constructor(kc: KubeConfig, apis: Apis, namespace: string, logger: Logger, events: StateEvents) {
    this.#logger = logger;
    const name = (o: KubernetesObject): string => o.metadata?.name ?? "";
    this.imageLists = new ResilientInformer({
      kubeConfig: kc,
      path: `/apis/${group}/${storageVersion}/${imageListPlural}`,
      list: customList(apis, imageListPlural),
      keep: keepWhole,
      logger: logger.child({ informer: "imagelists" }),
      onEvent: (_t, o) => {
        events.imageList(name(o));
      },
    });
    this.imageJobs = new ResilientInformer({
      kubeConfig: kc,
      path: `/apis/${group}/${storageVersion}/${imageJobPlural}`,
      list: customList(apis, imageJobPlural),
      keep: keepWhole,
      logger: logger.child({ informer: "imagejobs" }),
      onEvent: (_t, o) => {
        events.imageJob(name(o));
        const owner = o.metadata?.ownerReferences?.find((r) => r.kind === "ImageList");
        if (owner !== undefined) events.imageList(owner.name);
      },
    });
    this.pods = new ResilientInformer({
      kubeConfig: kc,
      path: `/api/v1/namespaces/${namespace}/pods`,
      list: async ({ limit, continueToken }) => listedPage(await apis.core.listNamespacedPod({ namespace, labelSelector: labels.job, limit, ...continueFrom(continueToken) })),
      keep: keepPod,
      labelSelector: labels.job,
      logger: logger.child({ informer: "pods" }),
      onEvent: (_t, pod) => {
        const job = pod.metadata.labels?.[labels.job];
        if (job !== undefined) events.imageJob(job);
      },
    });
    this.nodes = new ResilientInformer({
      kubeConfig: kc,
      path: "/api/v1/nodes",
      list: async ({ limit, continueToken }) => listedPage(await apis.core.listNode({ limit, ...continueFrom(continueToken) })),
      keep: keepNode,
      logger: logger.child({ informer: "nodes" }),
      onEvent: (type, node) => {
        if (type === "delete") events.nodeDeleted(node.metadata.name);
      },
    });
    this.configMaps = new ResilientInformer({
      kubeConfig: kc,
      path: `/api/v1/namespaces/${namespace}/configmaps`,
      list: async ({ limit, continueToken }) => listedPage(await apis.core.listNamespacedConfigMap({ namespace, labelSelector: `${labels.excludeList}=true`, limit, ...continueFrom(continueToken) })),
      keep: keepConfigMap,
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

  /**
   * The job's pods, those being deleted included: a pod deleted gracefully runs on until its
   * kubelet stops it and reports it Failed, and a new pod beside it would put two removers on
   * one node.
   */
  podsOfJob(job: string): CachedPod[] {
    return this.pods.list().filter((p) => p.metadata.labels?.[labels.job] === job);
  }

  /** Whether `name` is a node of the cluster (the node cache is synced before any controller runs). */
  hasNode(name: string): boolean {
    return this.nodes.get(name) !== undefined;
  }

  /** Whether `name` is cordoned (`spec.unschedulable`), as a drain leaves it. */
  isCordoned(name: string): boolean {
    return this.nodes.get(name)?.cordoned === true;
  }

  /** A node's image keys (scan-once/node-images.ts), or undefined when its kubelet lists none. */
  nodeImages(name: string): readonly number[] | undefined {
    return this.nodes.get(name)?.images;
  }

  /** A node's Ready condition as the cache holds it; undefined for an unknown node or none reported. */
  nodeReadiness(name: string): NodeReadiness | undefined {
    const ready = this.nodes.get(name)?.ready;
    return ready === undefined ? undefined : { status: ready.status, sinceMs: ready.since?.getTime() ?? 0 };
  }

  exclusionConfigMaps(): string[] {
    return this.configMaps.list().map((c) => c.metadata.name).sort();
  }

  #parse<T>(schema: z.ZodMiniType<T>, raw: unknown, kind: string): T | undefined {
    if (raw === undefined) return undefined;
    const parsed = schema.safeParse(raw);
    if (parsed.success) return parsed.data;
    this.#logger.warn({ kind, problem: z.prettifyError(parsed.error) }, "Ignoring an object that does not match its schema");
    return undefined;
  }
}
