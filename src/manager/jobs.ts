// Starting ImageJobs. A manual job is owned by its ImageList and carries the list in a ConfigMap
// it owns; an automatic job belongs to the schedule. Names are deterministic, so a restarted
// manager re-finds a job instead of starting a second one.
import { createHash } from "node:crypto";
import * as z from "../api/zod.ts";
import { apiVersion, group, imageJobKind, imageJobPlural, imageListPlural, storageVersion } from "../api/group.ts";
import type { ImageJob } from "../api/imagejob.ts";
import type { ImageList } from "../api/imagelist.ts";
import { labels } from "../api/worker-contract.ts";
import type { Apis } from "../k8s/client.ts";
import { createClusterObject, patchClusterStatus, withDeadline } from "../k8s/custom.ts";
import { isAlreadyExists, isNotFound } from "../k8s/errors.ts";
import { imageListPayload, payloadContent, type FittingPayload } from "./imagelist-payload.ts";

export const annotations = {
  mode: "eraser.sh/mode",
  dryRun: "eraser.sh/dry-run",
  imageListGeneration: "eraser.sh/imagelist-generation",
} as const;

export const jobOwner = { manual: "imagelist", automatic: "schedule" } as const;

export function modeOf(job: ImageJob): "manual" | "automatic" {
  return job.metadata.annotations?.[annotations.mode] === "manual" ? "manual" : "automatic";
}

/** A manual job's end, on its ImageList's status (SPEC §2.1); a list deleted meanwhile is no error. */
export async function recordOnImageList(apis: Apis, job: ImageJob, counts: { succeeded: number; failed: number; skipped: number }, nowMs: number): Promise<void> {
  const owner = job.metadata.ownerReferences?.find((r) => r.kind === "ImageList");
  if (owner === undefined) return;
  try {
    await patchClusterStatus(apis, imageListPlural, owner.name, { timestamp: new Date(nowMs).toISOString(), success: counts.succeeded, failed: counts.failed, skipped: counts.skipped });
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

export function manualJobName(list: ImageList): string {
  const uid = list.metadata.uid ?? list.metadata.name;
  const hash = createHash("sha256").update(uid).digest("hex").slice(0, 8);
  return `imagelist-${hash}-g${list.metadata.generation ?? 1}`;
}

const CreatedSchema = z.object({ metadata: z.object({ uid: z.string() }) });

export const imageListConfigMapName = (job: string): string => `${job}-imagelist`;

/** Creates the manual job for the ImageList's current generation; an existing one is fine. */
export async function startManualJob(apis: Apis, namespace: string, list: ImageList): Promise<{ name: string; created: boolean }> {
  const name = manualJobName(list);
  const payload = imageListPayload(list.spec.images);
  // The ImageList controller refuses such a list before it gets here; no job is made without its list.
  if (payload.kind === "too-large") throw new Error(`the image list of ${name} is too large for a ConfigMap (${payload.textBytes} bytes of JSON)`);
  const body = {
    apiVersion,
    kind: imageJobKind,
    metadata: {
      name,
      labels: { [labels.jobOwner]: jobOwner.manual },
      annotations: {
        [annotations.mode]: "manual",
        [annotations.dryRun]: String(list.spec.dryRun === true),
        [annotations.imageListGeneration]: String(list.metadata.generation ?? 1),
      },
      ownerReferences: [{ apiVersion: list.apiVersion, kind: "ImageList", name: list.metadata.name, uid: list.metadata.uid ?? "", controller: true, blockOwnerDeletion: true }],
    },
  };
  let uid: string;
  try {
    uid = CreatedSchema.parse(await createClusterObject(apis, imageJobPlural, body)).metadata.uid;
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
    // Re-found after a restart: make sure its ConfigMap exists too (the crash may have come between).
    const existing = CreatedSchema.parse(await withDeadline(`get imagejob ${name}`, apis.custom.getClusterCustomObject({ group, version: storageVersion, plural: imageJobPlural, name })));
    await createImageListConfigMap(apis, namespace, name, existing.metadata.uid, payload);
    return { name, created: false };
  }
  await createImageListConfigMap(apis, namespace, name, uid, payload);
  return { name, created: true };
}

async function createImageListConfigMap(apis: Apis, namespace: string, job: string, jobUid: string, payload: FittingPayload): Promise<void> {
  try {
    await apis.core.createNamespacedConfigMap({
      namespace,
      body: {
        metadata: { name: imageListConfigMapName(job), namespace, labels: { [labels.job]: job }, ownerReferences: [{ apiVersion, kind: imageJobKind, name: job, uid: jobUid, controller: true }] },
        ...payloadContent(payload),
      },
    });
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
  }
}

export async function startAutomaticJob(apis: Apis, name: string, dryRun: boolean): Promise<"created" | "exists"> {
  const body = {
    apiVersion,
    kind: imageJobKind,
    metadata: { name, labels: { [labels.jobOwner]: jobOwner.automatic }, annotations: { [annotations.mode]: "automatic", [annotations.dryRun]: String(dryRun) } },
  };
  try {
    await createClusterObject(apis, imageJobPlural, body);
    return "created";
  } catch (error) {
    if (isAlreadyExists(error)) return "exists";
    throw error;
  }
}
