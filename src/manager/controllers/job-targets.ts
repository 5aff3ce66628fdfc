// A job's nodes are chosen once, when it starts, and kept in ConfigMap `<job>-nodes` (owned by
// the job): a node labelled or added mid-way is honoured by the next job, never by this one, and
// a restarted manager creates pods for exactly the nodes the job started with. When the job scans
// once per run, its first wave is chosen at the start too and kept beside them (key `firstWave`):
// the nodes' image lists change as the job removes images, and a restarted manager must wait for
// the same nodes; it changes only when first-wave nodes leave before they share, and others scan
// in their place. A job started by a manager before this key falls back to the name spread.
import { PatchStrategy, setHeaderOptions, type V1ConfigMap } from "@kubernetes/client-node";
import type { ImageJob } from "../../api/imagejob.ts";
import type { Apis } from "../../k8s/client.ts";
import { jobConfigMapMetadata } from "../job-configmap.ts";
import { isAlreadyExists, isNotFound } from "../../k8s/errors.ts";

export const targetsConfigMapName = (job: string): string => `${job}-nodes`;

export interface Targets {
  /** The job's nodes, sorted. */
  nodes: string[];
  /** The nodes that scan first, when the job started with scanning once per run. */
  firstWave?: string[];
}

const lines = (text: string | undefined): string[] => (text ?? "").split("\n").filter((n) => n !== "");

export class JobTargets {
  readonly #apis: Apis;
  readonly #namespace: string;
  readonly #cache = new Map<string, Targets>();

  constructor(apis: Apis, namespace: string) {
    this.#apis = apis;
    this.#namespace = namespace;
  }

  /** Records the nodes a job runs on; if they were recorded before (a restart), keeps those. */
  async record(job: ImageJob, chosen: Targets): Promise<Targets> {
    const name = job.metadata.name;
    const body = {
      metadata: jobConfigMapMetadata(job, targetsConfigMapName(name), this.#namespace),
      data: { nodes: chosen.nodes.join("\n"), ...(chosen.firstWave === undefined ? {} : { firstWave: chosen.firstWave.join("\n") }) },
    };
    try {
      await this.#apis.core.createNamespacedConfigMap({ namespace: this.#namespace, body });
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
      const recorded = await this.find(name);
      if (recorded === undefined) throw new Error(`ConfigMap ${targetsConfigMapName(name)} was there, then gone`, { cause: error });
      return recorded;
    }
    const targets = { nodes: [...chosen.nodes], ...(chosen.firstWave === undefined ? {} : { firstWave: [...chosen.firstWave] }) };
    this.#cache.set(name, targets);
    return targets;
  }

  /** The job's nodes; undefined when no manager of ours recorded them (another manager's job). */
  async find(job: string): Promise<Targets | undefined> {
    const cached = this.#cache.get(job);
    if (cached !== undefined) return cached;
    let cm: V1ConfigMap;
    try {
      cm = await this.#apis.core.readNamespacedConfigMap({ name: targetsConfigMapName(job), namespace: this.#namespace });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
    const firstWave = cm.data?.["firstWave"];
    const targets = { nodes: lines(cm.data?.["nodes"]), ...(firstWave === undefined ? {} : { firstWave: lines(firstWave) }) };
    this.#cache.set(job, targets);
    return targets;
  }

  /** Records a new first wave, after some of the first left before they could share (waves.ts). */
  async replaceFirstWave(job: string, firstWave: readonly string[]): Promise<void> {
    const body = { data: { firstWave: firstWave.join("\n") } };
    await this.#apis.core.patchNamespacedConfigMap({ name: targetsConfigMapName(job), namespace: this.#namespace, body }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
    const cached = this.#cache.get(job);
    if (cached !== undefined) this.#cache.set(job, { ...cached, firstWave: [...firstWave] });
  }

  forget(job: string): void {
    this.#cache.delete(job);
  }
}
