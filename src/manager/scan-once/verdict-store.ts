// A job's shared verdicts live in ConfigMap `<job>-verdicts` (owned by the job, so it goes with
// it), which the pods after the first wave mount. Its existence marks the second wave as begun:
// a restarted manager reads it back instead of waiting for the first wave again.
import type { ImageJob } from "../../api/imagejob.ts";
import { verdictsKey, type SharedVerdicts } from "../../api/scan-verdicts.ts";
import type { Apis } from "../../k8s/client.ts";
import { jobConfigMapMetadata } from "../job-configmap.ts";
import { isAlreadyExists, isNotFound } from "../../k8s/errors.ts";

export const verdictsConfigMapName = (job: string): string => `${job}-verdicts`;

export class VerdictStore {
  readonly #apis: Apis;
  readonly #namespace: string;
  /** Jobs whose ConfigMap is known to exist (only this manager, the leader, creates it). */
  readonly #known = new Map<string, boolean>();

  constructor(apis: Apis, namespace: string) {
    this.#apis = apis;
    this.#namespace = namespace;
  }

  async exists(job: string): Promise<boolean> {
    const known = this.#known.get(job);
    if (known !== undefined) return known;
    try {
      await this.#apis.core.readNamespacedConfigMap({ name: verdictsConfigMapName(job), namespace: this.#namespace });
      this.#known.set(job, true);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      this.#known.set(job, false);
    }
    return this.#known.get(job) ?? false;
  }

  async create(job: ImageJob, verdicts: SharedVerdicts): Promise<void> {
    const name = job.metadata.name;
    const body = {
      metadata: jobConfigMapMetadata(job, verdictsConfigMapName(name), this.#namespace),
      data: { [verdictsKey]: JSON.stringify(verdicts) },
    };
    try {
      await this.#apis.core.createNamespacedConfigMap({ namespace: this.#namespace, body });
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
    }
    this.#known.set(name, true);
  }

  forget(job: string): void {
    this.#known.delete(job);
  }
}
