// What Events about an ImageJob share: the job as their object, and lists of nodes cut short.
import type { ImageJob } from "../api/imagejob.ts";

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
