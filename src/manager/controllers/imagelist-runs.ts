// Which generation of the ImageList a job was last started for, kept in ConfigMap
// `eraser-imagelist-runs` in the operator's namespace. Not only in the list's
// `status.observedGeneration`: a cluster that keeps Eraser's own CRDs (SPEC: "keeps its CRDs")
// has a status schema without that field, and the API server drops it without a word, so every
// manager restart ran the list again (as Eraser itself does). The status still gets the field
// where the CRD has it, for `kubectl get -o yaml`; the ConfigMap is what the manager trusts.
// The list's uid is kept too: a list deleted and re-created is a new list, and runs. A list that
// another manager ran (Eraser, before the swap) has neither record, only the `timestamp` Eraser
// writes when its job ends: it is taken as run (ranByAnotherManager), not run again at the swap.
import { imageListPlural } from "../../api/group.ts";
import type { ImageJob } from "../../api/imagejob.ts";
import type { ImageList } from "../../api/imagelist.ts";
import * as z from "../../api/zod.ts";
import type { Apis } from "../../k8s/client.ts";
import { patchClusterStatus } from "../../k8s/custom.ts";
import { describeError, isNotFound } from "../../k8s/errors.ts";
import type { Logger } from "../../observability/logger.ts";
import type { DroppedStatusFields } from "../dropped-status-fields.ts";
import { annotations } from "../jobs.ts";

export const imageListRunsConfigMapName = "eraser-imagelist-runs";

const RecordSchema = z.object({ uid: z.string().check(z.minLength(1)), generation: z.string().check(z.regex(/^\d{1,18}$/)) });

/**
 * The list has a result (`status.timestamp`) that no job of ours gave it, and no job of another
 * manager's that it owns is unfinished or failed: that manager ran it. Only for a list with no
 * record of ours; a job of ours it owns means this project ran it, and the record follows.
 */
export function ranByAnotherManager(list: ImageList, jobs: readonly ImageJob[]): boolean {
  if (list.status?.timestamp === undefined) return false;
  const owned = jobs.filter((j) => (j.metadata.ownerReferences ?? []).some((o) => o.uid === list.metadata.uid));
  return owned.every((j) => j.metadata.annotations?.[annotations.mode] === undefined && j.status?.phase === "Completed");
}

interface Run {
  uid: string;
  generation: number;
}

export class ImageListRuns {
  readonly #apis: Apis;
  readonly #namespace: string;
  readonly #logger: Logger;
  readonly #dropped: DroppedStatusFields;
  /** undefined: not read yet; null: no record. */
  #last: Run | null | undefined;
  #warnedStatus = false;

  constructor(apis: Apis, namespace: string, logger: Logger, dropped: DroppedStatusFields) {
    this.#apis = apis;
    this.#namespace = namespace;
    this.#logger = logger;
    this.#dropped = dropped;
  }

  /**
   * The generation of `list` a job was last started for (or refused), 0 if none. Read each time:
   * a manager that lost the lease and leads again may find what another leader recorded meanwhile.
   */
  async observed(list: ImageList): Promise<number> {
    this.#last = await this.#read();
    return this.observedSoFar(list);
  }

  /** As `observed`, from this manager's last read (the status alone before its first). */
  observedSoFar(list: ImageList): number {
    const recorded = this.#last !== undefined && this.#last !== null && this.#last.uid === list.metadata.uid ? this.#last.generation : 0;
    return Math.max(recorded, list.status?.observedGeneration ?? 0);
  }

  /** Records that `generation` was acted on: a job started, or the list refused with `message`. */
  async record(list: ImageList, generation: number, message: string): Promise<void> {
    const run = { uid: list.metadata.uid ?? "", generation };
    const body = { metadata: { name: imageListRunsConfigMapName, namespace: this.#namespace }, data: { uid: run.uid, generation: String(generation) } };
    try {
      await this.#apis.core.replaceNamespacedConfigMap({ name: imageListRunsConfigMapName, namespace: this.#namespace, body });
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await this.#apis.core.createNamespacedConfigMap({ namespace: this.#namespace, body });
    }
    this.#last = run;
    await this.#recordOnStatus(list, generation, message);
  }

  async #read(): Promise<Run | null> {
    let data: Record<string, string> | undefined;
    try {
      data = (await this.#apis.core.readNamespacedConfigMap({ name: imageListRunsConfigMapName, namespace: this.#namespace })).data;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
    const parsed = RecordSchema.safeParse(data ?? {});
    // Not "no record": that would run the list again. Someone edited it; they can fix or delete it.
    if (!parsed.success) throw new Error(`ConfigMap ${this.#namespace}/${imageListRunsConfigMapName} is not a record of ImageList runs (want data.uid and a numeric data.generation); fix it, or delete it to run the ImageList again: ${z.prettifyError(parsed.error)}`);
    return { uid: parsed.data.uid, generation: Number(parsed.data.generation) };
  }

  /** Best effort: with Eraser's CRD the fields are dropped, or refused while the status is empty. */
  async #recordOnStatus(list: ImageList, generation: number, message: string): Promise<void> {
    const name = list.metadata.name;
    const status = { observedGeneration: generation, message };
    try {
      this.#dropped.check({ apiVersion: list.apiVersion, kind: "ImageList", name, ...(list.metadata.uid === undefined ? {} : { uid: list.metadata.uid }) }, status, await patchClusterStatus(this.#apis, imageListPlural, name, status));
    } catch (error) {
      if (this.#warnedStatus) return;
      this.#warnedStatus = true;
      this.#logger.warn({ imagelist: name, err: describeError(error), hint: "the installed ImageList CRD may be Eraser's; kubectl apply -f crds/ adds status.observedGeneration and status.message" }, "Could not write the ImageList's observedGeneration; the run is recorded in ConfigMap " + imageListRunsConfigMapName);
    }
  }
}
