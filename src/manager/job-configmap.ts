// The metadata of a ConfigMap that belongs to one ImageJob (its nodes, its shared verdicts, its
// deleted pods): labelled with the job, and owned by it, so that it goes when the job does.
import type { V1ObjectMeta } from "@kubernetes/client-node";
import type { ImageJob } from "../api/imagejob.ts";
import { labels } from "../api/worker-contract.ts";

export function jobConfigMapMetadata(job: ImageJob, name: string, namespace: string): V1ObjectMeta {
  const jobName = job.metadata.name;
  return {
    name,
    namespace,
    labels: { [labels.job]: jobName },
    ownerReferences: [{ apiVersion: job.apiVersion, kind: "ImageJob", name: jobName, uid: job.metadata.uid ?? "", controller: true }],
  };
}
