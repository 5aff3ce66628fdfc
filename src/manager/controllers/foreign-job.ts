// An ImageJob this manager cannot run: one another manager started, most often Eraser before its
// images were swapped for ours. Eraser keeps a job's pod template in a PodTemplate owned by its
// manager pod and its nodes nowhere; this manager keeps them in `<job>-nodes` (job-targets.ts).
// Left alone, such a job stayed Running for ever, its reconcile failing on the missing record,
// and no job ran after it (job-gate.ts). Now the manager waits while any worker pod it did not
// make still runs (two removers on one node is what the gate prevents), then ends the job by what
// its pods show: a node whose pod succeeded succeeded, and every other selected node failed,
// since nothing shows that it was cleaned. Nothing more is removed for it; the next job runs.
import type { EraserConfig } from "../../api/config/types.ts";
import { imageJobPlural } from "../../api/group.ts";
import type { ImageJob } from "../../api/imagejob.ts";
import { labels } from "../../api/worker-contract.ts";
import type { Apis } from "../../k8s/client.ts";
import { patchClusterStatus } from "../../k8s/custom.ts";
import type { EventRecorder } from "../../observability/events.ts";
import type { Logger } from "../../observability/logger.ts";
import type { Clock } from "../clock.ts";
import { jobRef } from "../job-events.ts";
import { jobPhase, type JobCounts } from "../job-phase.ts";
import { annotations, recordOnImageList } from "../jobs.ts";
import type { ReconcileResult } from "../queue.ts";

export interface ForeignJobDeps {
  apis: Apis;
  namespace: string;
  clock: Clock;
  podTimeoutMs: number;
  events: EventRecorder;
  logger: Logger;
}

/** Worker pods this manager did not make: Eraser's carry its type label and not our job label. */
const foreignPodSelector = `${labels.podType},!${labels.job}`;
const recheckMs = 10_000;

/**
 * A job owned by an ImageList without the mode this project's manual jobs carry: Eraser's, made
 * just before its manager went. Run as an automatic job, it would remove what a scan flags
 * instead of what the list names.
 */
export const madeByAnotherManager = (job: ImageJob): boolean =>
  job.metadata.annotations?.[annotations.mode] === undefined && (job.metadata.ownerReferences ?? []).some((o) => o.kind === "ImageList");

interface ForeignPod {
  name: string;
  node: string;
  phase: string;
  ageMs: number;
  ownedBy: (job: string) => boolean;
}

export class ForeignJobs {
  readonly #d: ForeignJobDeps;
  readonly #told = new Set<string>();

  constructor(deps: ForeignJobDeps) {
    this.#d = deps;
  }

  async reconcile(job: ImageJob, config: EraserConfig): Promise<ReconcileResult> {
    const name = job.metadata.name;
    const pods = await this.#pods();
    // A pod older than a pod timeout and a whole scan will not finish on its own account.
    const stillRunning = pods.filter((p) => (p.phase === "Running" || p.phase === "Pending") && p.ageMs < this.#d.podTimeoutMs + config.components.scanner.config.timeout.totalMs);
    if (stillRunning.length > 0) {
      this.#tellWaiting(job, stillRunning);
      return { requeueAfterMs: recheckMs };
    }
    await this.#end(job, config, pods.filter((p) => p.ownedBy(name)));
    this.#told.delete(name);
    // Its new status brings it back, to the cleanup.
    return undefined;
  }

  async #end(job: ImageJob, config: EraserConfig, own: readonly ForeignPod[]): Promise<void> {
    const s = job.status ?? {};
    const skipped = s.skipped ?? 0;
    const desired = Math.max(s.desired ?? 0, own.length + skipped);
    const succeeded = Math.min(own.filter((p) => p.phase === "Succeeded").length, desired - skipped);
    const counts: JobCounts = { desired, succeeded, failed: desired - skipped - succeeded, skipped };
    // A job no manager ever started ran on no node; "Completed on 0 nodes" would say otherwise.
    const phase = s.phase === undefined ? "Failed" : jobPhase(counts, config.manager.imageJob.successRatio) === "Completed" ? "Completed" : "Failed";
    const now = this.#d.clock.now();
    const cleanup = config.manager.imageJob.cleanup;
    const failedNodes = own.filter((p) => p.phase === "Failed").slice(0, 50).map((p) => ({ node: p.node, reason: `its worker pod ${p.name}, made by another manager, failed` }));
    const deleteAfter = now + (phase === "Completed" ? cleanup.delayOnSuccessMs : cleanup.delayOnFailureMs);
    await patchClusterStatus(this.#d.apis, imageJobPlural, job.metadata.name, { ...counts, phase, failedNodes, completionTime: new Date(now).toISOString(), deleteAfter: new Date(deleteAfter).toISOString() });
    const message = `started by another manager (no record of its nodes here), so this manager cannot run it; ended it with no worker pod of that manager left running: ${succeeded} node(s) succeeded, ${counts.failed} failed or left no result, ${skipped} skipped. Nothing more is removed for it; the next job runs as usual`;
    this.#d.logger.warn({ job: job.metadata.name, phase, ...counts }, "Ended a job another manager started");
    this.#d.events.record(jobRef(job), "Warning", "ForeignJobEnded", `${phase}: ${message}`);
    await recordOnImageList(this.#d.apis, job, counts, now);
  }

  async #pods(): Promise<ForeignPod[]> {
    const now = this.#d.clock.now();
    const { items } = await this.#d.apis.core.listNamespacedPod({ namespace: this.#d.namespace, labelSelector: foreignPodSelector });
    return items.map((pod) => {
      const created = pod.metadata?.creationTimestamp === undefined ? now : new Date(pod.metadata.creationTimestamp).getTime();
      const owners = pod.metadata?.ownerReferences ?? [];
      return {
        name: pod.metadata?.name ?? "",
        node: pod.spec?.nodeName ?? "",
        phase: pod.status?.phase ?? "Pending",
        ageMs: now - created,
        // Eraser's pods belong to a PodTemplate named after their job.
        ownedBy: (job: string) => owners.some((o) => o.name === job && (o.kind === "PodTemplate" || o.kind === "ImageJob")),
      };
    });
  }

  #tellWaiting(job: ImageJob, running: readonly ForeignPod[]): void {
    if (this.#told.has(job.metadata.name)) return;
    this.#told.add(job.metadata.name);
    const pods = running.slice(0, 5).map((p) => p.name);
    this.#d.logger.info({ job: job.metadata.name, running: running.length, pods }, "A job another manager started: waiting for its worker pods to finish before ending it");
    this.#d.events.record(jobRef(job), "Normal", "ForeignJobWaiting", `started by another manager (no record of its nodes here); ${running.length} worker pod(s) that manager made still run (${pods.join(", ")}); the job ends, and the next one may start, once they finish`);
  }
}
