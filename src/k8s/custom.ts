// Writes to eraser.sh objects: create, merge-patch status, delete. Every call has a deadline.
import { PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { group, storageVersion } from "../api/group.ts";
import type { Apis } from "./client.ts";

const timeoutMs = 15_000;

function withDeadline<T>(what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => { reject(new Error(`${what}: no answer from the API server within ${timeoutMs / 1000} s`)); }, timeoutMs);
  });
  return Promise.race([promise, deadline]).finally(() => { clearTimeout(timer); });
}

export function createClusterObject(apis: Apis, plural: string, body: object): Promise<unknown> {
  return withDeadline(`create ${plural}`, apis.custom.createClusterCustomObject({ group, version: storageVersion, plural, body }));
}

export function patchClusterStatus(apis: Apis, plural: string, name: string, status: object): Promise<unknown> {
  return withDeadline(
    `patch ${plural}/${name} status`,
    apis.custom.patchClusterCustomObjectStatus({ group, version: storageVersion, plural, name, body: { status } }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch)),
  );
}

export function deleteClusterObject(apis: Apis, plural: string, name: string): Promise<unknown> {
  return withDeadline(`delete ${plural}/${name}`, apis.custom.deleteClusterCustomObject({ group, version: storageVersion, plural, name, propagationPolicy: "Background" }));
}

export { withDeadline };
