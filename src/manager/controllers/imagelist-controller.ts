// ImageList controller: the ImageList named `imagelist` starts a manual job on creation and on
// every spec change (generation), never on status updates. The generation acted on is recorded
// (imagelist-runs.ts), so a restart neither re-runs a list nor drops a change, whichever CRD the
// cluster has; a change made while a job runs starts its job when that one ends.
import { imageListName } from "../../api/group.ts";
import { pruneMarker, type ImageList } from "../../api/imagelist.ts";
import { isImageId, normalizeImageReference } from "../../images/reference.ts";
import type { Apis } from "../../k8s/client.ts";
import type { EventRecorder } from "../../observability/events.ts";
import type { Logger } from "../../observability/logger.ts";
import type { ClusterState } from "../cluster-state.ts";
import { imageListPayload, tooLargeProblem } from "../imagelist-payload.ts";
import { startManualJob } from "../jobs.ts";
import type { ReconcileResult } from "../queue.ts";
import { ranByAnotherManager, type ImageListRuns } from "./imagelist-runs.ts";
import type { JobGate } from "./job-gate.ts";

export interface ImageListControllerDeps {
  apis: Apis;
  state: ClusterState;
  gate: JobGate;
  runs: ImageListRuns;
  namespace: string;
  events: EventRecorder;
  logger: Logger;
}

const target = (list: ImageList): { apiVersion: string; kind: string; name: string; uid?: string } => ({
  apiVersion: list.apiVersion,
  kind: "ImageList",
  name: list.metadata.name,
  ...(list.metadata.uid === undefined ? {} : { uid: list.metadata.uid }),
});

/** Why a list is not run: an entry no runtime accepts, or a size no ConfigMap holds, even gzipped. */
function whyNotRun(images: readonly string[]): string | undefined {
  const invalid = invalidEntry(images);
  if (invalid !== undefined) return invalid;
  const payload = imageListPayload(images);
  return payload.kind === "too-large" ? tooLargeProblem(payload.textBytes) : undefined;
}

/** The first entry no runtime would accept, with the reason. */
export function invalidEntry(images: readonly string[]): string | undefined {
  for (const image of images) {
    if (image === pruneMarker || isImageId(image)) continue;
    try {
      normalizeImageReference(image);
    } catch (error) {
      return (error as Error).message;
    }
  }
  return undefined;
}

export class ImageListController {
  readonly #d: ImageListControllerDeps;
  readonly #warned = new Set<string>();

  constructor(deps: ImageListControllerDeps) {
    this.#d = deps;
  }

  /** True when the ImageList has a change no job has been started for (manual goes first). */
  pending(): boolean {
    const list = this.#d.state.imageList(imageListName);
    return list !== undefined && this.#d.runs.observedSoFar(list) < (list.metadata.generation ?? 1);
  }

  async reconcile(name: string): Promise<ReconcileResult> {
    const list = this.#d.state.imageList(name);
    if (list === undefined) return undefined;
    if (name !== imageListName) {
      this.#ignore(list);
      return undefined;
    }
    const generation = list.metadata.generation ?? 1;
    const observed = await this.#d.runs.observed(list);
    if (observed >= generation) return undefined;
    if (observed === 0 && ranByAnotherManager(list, this.#d.state.allImageJobs())) {
      await this.#takeAsRun(list, generation);
      return undefined;
    }
    const problem = whyNotRun(list.spec.images);
    if (problem !== undefined) {
      await this.#d.runs.record(list, generation, problem);
      this.#d.events.record(target(list), "Warning", "InvalidImageList", `not run, nothing removed: ${problem}`);
      return undefined;
    }
    const running = this.#d.gate.running();
    if (running !== undefined) {
      this.#d.logger.info({ imagelist: name, generation, waitingFor: running }, "ImageList changed while a job runs; it starts when that job ends");
      return { requeueAfterMs: 10_000 };
    }
    const job = await startManualJob(this.#d.apis, this.#d.namespace, list);
    this.#d.gate.started(job.name);
    await this.#d.runs.record(list, generation, "");
    if (job.created) this.#d.events.record(target(list), "Normal", "JobCreated", `started ImageJob ${job.name} for generation ${generation}`);
    return undefined;
  }

  #ignore(list: ImageList): void {
    const key = `${list.metadata.name}/${list.metadata.uid ?? ""}`;
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    this.#d.events.record(target(list), "Warning", "Ignored", `only the ImageList named "${imageListName}" is acted on; rename this one to run it`);
  }

  /** A list Eraser ran before the swap: not run again at the swap (when in doubt, do not remove). */
  async #takeAsRun(list: ImageList, generation: number): Promise<void> {
    await this.#d.runs.record(list, generation, "");
    const when = list.status?.timestamp === undefined ? "" : ` (its last job ended ${new Date(list.status.timestamp).toISOString()})`;
    this.#d.events.record(target(list), "Normal", "RunByAnotherManager", `generation ${generation} was run by another manager${when}, which records no generation; not run again. To run it again, change the list, or delete and re-create it`);
  }
}
