// What Events about an ImageJob share: the job as their object, and lists of nodes cut short.
import type { ImageJob } from "../api/imagejob.ts";
import type { EventRecorder } from "../observability/events.ts";
import type { Logger } from "../observability/logger.ts";

/** The job as an Event's involved object. */
export const jobRef = (job: ImageJob): { apiVersion: string; kind: string; name: string; uid?: string } => ({
  apiVersion: job.apiVersion,
  kind: "ImageJob",
  name: job.metadata.name,
  ...(job.metadata.uid === undefined ? {} : { uid: job.metadata.uid }),
});

/** Up to 10 names, then how many more: an Event's message is for people, and a list may be 1,000 nodes. */
export const named = (nodes: readonly string[]): string => nodes.slice(0, 10).join(", ") + (nodes.length > 10 ? `, and ${nodes.length - 10} more` : "");

/** What a JobStarted Event adds for nodes left out for their OS (ADR 0020). */
export const skippedOs = (count: number): string => (count === 0 ? "" : ` (${count} not Linux, left out: the worker runs on Linux only)`);

/** Nodes that left the cluster, or were drained, before their pod finished: counted as skipped, and said so. */
export function recordLeftNodes(d: { logger: Logger; events: EventRecorder }, job: ImageJob, left: { gone: readonly string[]; drained: readonly string[] }): void {
  const log = d.logger.child({ job: job.metadata.name });
  if (left.gone.length > 0) {
    log.info({ gone: left.gone }, "Nodes left the cluster during the job; counted as skipped");
    d.events.record(jobRef(job), "Normal", "NodesGone", `${left.gone.length} node(s) left the cluster before their pod finished, counted as skipped: ${named(left.gone)}`);
  }
  if (left.drained.length > 0) {
    log.info({ drained: left.drained }, "Nodes were drained during the job; counted as skipped");
    d.events.record(jobRef(job), "Normal", "NodesDrained", `${left.drained.length} node(s) were drained (cordoned, their worker pod deleted) before their pod finished, counted as skipped: ${named(left.drained)}`);
  }
}
