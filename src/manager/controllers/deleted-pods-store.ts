// What deleted-pods.ts knows of a running job outlives the manager, in ConfigMap
// `<job>-deleted-pods` (owned by the job, so it goes with it). A manager restarts on every upgrade,
// and a standby takes over when the leader's node goes; the pod garbage collector deletes finished
// pods once a cluster holds 12,500 of them, which one 5,000-node job and a busy day reach. Without
// this record a new leader ran those nodes again and lost their results, and gave every node
// whose pod had been deleted once one more pod. Writes are at most one per job every 5 s: the
// garbage collector deletes pods by the thousand. A manager that is stopped (SIGTERM: an upgrade,
// a drain of its node) writes what it has not yet, while it still leads.
import type { ImageJob } from "../../api/imagejob.ts";
import type { Apis } from "../../k8s/client.ts";
import { jobConfigMapMetadata } from "../job-configmap.ts";
import { describeError, isAlreadyExists, isNotFound } from "../../k8s/errors.ts";
import type { Logger } from "../../observability/logger.ts";
import { decodeLedger, encodeLedger, type SavedLedger } from "./deleted-pods-record.ts";

export const deletedPodsConfigMapName = (job: string): string => `${job}-deleted-pods`;
export const minWriteIntervalMs = 5_000;

interface Written {
  version: number;
  atMs: number;
  exists: boolean;
}

/** One job's ledger as the controller holds it: `saved` is read only to write. */
export interface JobLedger {
  job: ImageJob;
  version: number;
  saved: () => SavedLedger;
}

export class DeletedPodsStore {
  readonly #apis: Apis;
  readonly #namespace: string;
  readonly #logger: Logger;
  readonly #written = new Map<string, Written>();

  constructor(apis: Apis, namespace: string, logger: Logger) {
    this.#apis = apis;
    this.#namespace = namespace;
    this.#logger = logger;
  }

  /**
   * What an earlier manager saved of `job`, the first time this one asks (later: undefined). An
   * unreadable record is logged and left out: its nodes may run again, as before it existed.
   */
  async load(job: string): Promise<SavedLedger | undefined> {
    if (this.#written.has(job)) return undefined;
    let data: Record<string, string> | undefined;
    try {
      data = (await this.#apis.core.readNamespacedConfigMap({ name: deletedPodsConfigMapName(job), namespace: this.#namespace })).data ?? {};
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    this.#written.set(job, { version: 0, atMs: 0, exists: data !== undefined });
    if (data === undefined) return undefined;
    const decoded = decodeLedger(data);
    if (decoded.ok) return decoded.saved;
    this.#logger.warn({ job, configMap: deletedPodsConfigMapName(job), problem: decoded.reason }, "Cannot read what an earlier manager saved of the job's deleted pods; their nodes may run again");
    return undefined;
  }

  /**
   * Writes the ledger if it changed since the last write (`version`, deleted-pods.ts) and the last
   * write is 5 s old; returns how long to wait before it can be written, when it changed but
   * cannot be yet. `saved` is read only to write.
   */
  async sync(job: ImageJob, version: number, saved: () => SavedLedger, nowMs: number): Promise<number | undefined> {
    const written = this.#writtenOf(job.metadata.name);
    if (version === written.version) return undefined;
    const wait = written.atMs + minWriteIntervalMs - nowMs;
    if (wait > 0) return wait;
    return (await this.#save({ job, version, saved }, written, nowMs)) ? undefined : minWriteIntervalMs;
  }

  /** Writes every ledger that changed since its last write, without waiting out the 5 s; returns how many it wrote. */
  async saveNow(ledgers: readonly JobLedger[], nowMs: number): Promise<number> {
    const changed = ledgers.filter((l) => l.version !== this.#writtenOf(l.job.metadata.name).version);
    const done = await Promise.all(changed.map((l) => this.#save(l, this.#writtenOf(l.job.metadata.name), nowMs)));
    return done.filter(Boolean).length;
  }

  #writtenOf(job: string): Written {
    return this.#written.get(job) ?? { version: 0, atMs: 0, exists: false };
  }

  async #save({ job, version, saved }: JobLedger, written: Written, nowMs: number): Promise<boolean> {
    const name = job.metadata.name;
    const { data, leftOut } = encodeLedger(saved());
    try {
      await this.#write(job, data, written.exists);
    } catch (error) {
      this.#logger.warn({ job: name, err: describeError(error) }, "Could not save the job's deleted pods; retrying");
      this.#written.set(name, { ...written, atMs: nowMs });
      return false;
    }
    this.#written.set(name, { version, atMs: nowMs, exists: true });
    if (leftOut > 0) this.#logger.warn({ job: name, leftOut }, "Too many deleted finished pods to save in one ConfigMap; a restarted manager would run their nodes again");
    return true;
  }

  forget(job: string): void {
    this.#written.delete(job);
  }

  async #write(job: ImageJob, data: Record<string, string>, exists: boolean): Promise<void> {
    const name = job.metadata.name;
    const body = {
      metadata: jobConfigMapMetadata(job, deletedPodsConfigMapName(name), this.#namespace),
      data,
    };
    const replace = (): Promise<unknown> => this.#apis.core.replaceNamespacedConfigMap({ name: deletedPodsConfigMapName(name), namespace: this.#namespace, body });
    const create = (): Promise<unknown> => this.#apis.core.createNamespacedConfigMap({ namespace: this.#namespace, body });
    try {
      await (exists ? replace() : create());
    } catch (error) {
      // Deleted by someone since, or made by a manager before this one.
      if (exists ? !isNotFound(error) : !isAlreadyExists(error)) throw error;
      await (exists ? create() : replace());
    }
  }
}
