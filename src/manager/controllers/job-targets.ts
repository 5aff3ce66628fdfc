// A job's nodes are chosen once, when it starts, and kept in ConfigMap `<job>-nodes` (owned by
// the job): a node labelled or added mid-way is honoured by the next job, never by this one, and
// a restarted manager creates pods for exactly the nodes the job started with.
import type { ImageJob } from "../../api/imagejob.ts";
import { labels } from "../../api/worker-contract.ts";
import type { Apis } from "../../k8s/client.ts";
import { isAlreadyExists } from "../../k8s/errors.ts";

export const targetsConfigMapName = (job: string): string => `${job}-nodes`;

export class JobTargets {
  readonly #apis: Apis;
  readonly #namespace: string;
  readonly #cache = new Map<string, string[]>();

  constructor(apis: Apis, namespace: string) {
    this.#apis = apis;
    this.#namespace = namespace;
  }

  /** Records the nodes a job runs on; if they were recorded before (a restart), keeps those. */
  async record(job: ImageJob, nodes: readonly string[]): Promise<string[]> {
    const name = job.metadata.name;
    const body = {
      metadata: {
        name: targetsConfigMapName(name),
        namespace: this.#namespace,
        labels: { [labels.job]: name },
        ownerReferences: [{ apiVersion: job.apiVersion, kind: "ImageJob", name, uid: job.metadata.uid ?? "", controller: true }],
      },
      data: { nodes: nodes.join("\n") },
    };
    try {
      await this.#apis.core.createNamespacedConfigMap({ namespace: this.#namespace, body });
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
      return this.get(name);
    }
    this.#cache.set(name, [...nodes]);
    return [...nodes];
  }

  async get(job: string): Promise<string[]> {
    const cached = this.#cache.get(job);
    if (cached !== undefined) return cached;
    const cm = await this.#apis.core.readNamespacedConfigMap({ name: targetsConfigMapName(job), namespace: this.#namespace });
    const nodes = (cm.data?.["nodes"] ?? "").split("\n").filter((n) => n !== "");
    this.#cache.set(job, nodes);
    return nodes;
  }

  forget(job: string): void {
    this.#cache.delete(job);
  }
}
