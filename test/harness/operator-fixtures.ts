// Helpers for manager tests: the manager's ConfigMap, ImageLists, reading ImageJobs, and keeping
// the real nodes out of virtual-node tests (the cleanup-filter label, as a user would).
import { CoreV1Api, CustomObjectsApi, type V1Pod } from "@kubernetes/client-node";
import { ImageJobSchema, type ImageJob } from "../../src/api/imagejob.ts";
import { ImageListSchema, type ImageList } from "../../src/api/imagelist.ts";
import { isConflict, isNotFound } from "../../src/k8s/errors.ts";
import { sharedCluster, type TestCluster } from "./cluster.ts";
import { operatorNamespace, prepareOperator } from "./manager-run.ts";
import type { VirtualNodeSpec } from "./virtual-nodes.ts";

export async function setManagerConfig(core: CoreV1Api, yaml: string): Promise<void> {
  const body = { metadata: { name: "eraser-manager-config", namespace: operatorNamespace }, data: { "controller_manager_config.yaml": yaml } };
  try {
    await core.replaceNamespacedConfigMap({ name: "eraser-manager-config", namespace: operatorNamespace, body });
  } catch {
    await core.createNamespacedConfigMap({ namespace: operatorNamespace, body });
  }
}

export async function optOutRealNodes(cluster: TestCluster, optOut: boolean): Promise<void> {
  for (const node of cluster.realNodes()) {
    await cluster.kubectl(["label", "node", node.name, optOut ? "eraser.sh/cleanup.filter=true" : "eraser.sh/cleanup.filter-", "--overwrite"]);
  }
}

export function customApi(cluster: TestCluster): CustomObjectsApi {
  return cluster.kubeConfig().makeApiClient(CustomObjectsApi);
}

export async function listImageJobs(custom: CustomObjectsApi): Promise<ImageJob[]> {
  const raw = (await custom.listClusterCustomObject({ group: "eraser.sh", version: "v1", plural: "imagejobs" })) as { items: unknown[] };
  return raw.items.map((item) => ImageJobSchema.parse(item));
}

export async function getImageList(custom: CustomObjectsApi, name: string): Promise<ImageList> {
  return ImageListSchema.parse(await custom.getClusterCustomObject({ group: "eraser.sh", version: "v1", plural: "imagelists", name }));
}

/**
 * Creates the ImageList or replaces its spec. The manager writes the list's status when a job
 * ends, so a replace can meet a newer resourceVersion (409): read again and retry, as kubectl does.
 */
export async function applyImageList(custom: CustomObjectsApi, name: string, images: string[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    let existing: ImageList;
    try {
      existing = await getImageList(custom, name);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await custom.createClusterCustomObject({ group: "eraser.sh", version: "v1", plural: "imagelists", body: { apiVersion: "eraser.sh/v1", kind: "ImageList", metadata: { name }, spec: { images } } });
      return;
    }
    try {
      await custom.replaceClusterCustomObject({ group: "eraser.sh", version: "v1", plural: "imagelists", name, body: { ...existing, spec: { images } } });
      return;
    } catch (error) {
      if (!isConflict(error) || attempt === 5) throw error;
    }
  }
}

export async function deleteAllEraserObjects(custom: CustomObjectsApi): Promise<void> {
  for (const plural of ["imagelists", "imagejobs"]) {
    const raw = (await custom.listClusterCustomObject({ group: "eraser.sh", version: "v1", plural })) as { items: { metadata: { name: string } }[] };
    for (const item of raw.items) await custom.deleteClusterCustomObject({ group: "eraser.sh", version: "v1", plural, name: item.metadata.name }).catch(() => undefined);
  }
}

/** An earlier test's automatic schedule would hold a run back for its interval: start from none. */
export async function dropSchedule(core: CoreV1Api): Promise<void> {
  await core.deleteNamespacedConfigMap({ name: "eraser-schedule", namespace: operatorNamespace }).catch(() => undefined);
}

export async function workerPods(core: CoreV1Api, job: string): Promise<V1Pod[]> {
  return (await core.listNamespacedPod({ namespace: operatorNamespace, labelSelector: `eraser.sh/job=${job}` })).items;
}

export function nodeResult(removed: number, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ v: 1, dryRun: false, removed, removedBytes: removed * 1000, vulnerable: 0, kept: { "in-use": 1 }, failed: 0, failures: [], ...extra });
}

/**
 * The common start of a manager test: the shared test ground with the operator's CRDs, namespace
 * and worker ServiceAccount, the real nodes opted out, and the test's virtual nodes.
 */
export async function prepareManagerTest(nodes: VirtualNodeSpec[]): Promise<{ cluster: TestCluster; core: CoreV1Api; custom: CustomObjectsApi }> {
  const cluster = await sharedCluster();
  const core = cluster.kubeConfig().makeApiClient(CoreV1Api);
  const custom = customApi(cluster);
  await prepareOperator(cluster, core);
  await optOutRealNodes(cluster, true);
  await cluster.addVirtualNodes(nodes);
  return { cluster, core, custom };
}
