// The manager's caches keep only what its controllers read: a job's progress computed from a kept
// pod must equal the one from the full pod, and the bulk (specs, kubelet status, managed fields) goes.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { defaultEraserConfig } from "../../../src/api/config/defaults.ts";
import { jobProgress } from "../../../src/manager/controllers/job-progress.ts";
import { keepConfigMap, keepNode, keepPod, keepWhole, type CachedPod } from "../../../src/manager/cached-objects.ts";
import { nodeImageKeys } from "../../../src/manager/scan-once/node-images.ts";
import { buildWorkerPod } from "../../../src/manager/pods/build.ts";
import { kubeletLikeNode } from "../../harness/kubelet-like-node.ts";

const bounds = { podTimeoutMs: 600_000, scanTimeoutMs: 23 * 3_600_000 };
const job = { name: "imagejob-auto-x", uid: "u1", mode: "automatic" as const, dryRun: false };
const removerResult = JSON.stringify({ v: 1, dryRun: false, removed: 3, removedBytes: 3000, vulnerable: 1, kept: { "in-use": 2 }, failed: 0, failures: [] });

/** A finished worker pod as a watch event carries it: JSON, timestamps as strings. */
function finishedPodJson(nodeName: string, phase: "Succeeded" | "Failed", exitCode: number): unknown {
  const built = buildWorkerPod({ job, nodeName, config: defaultEraserConfig(), exclusionConfigMaps: ["eraser-system-exclusion"], namespace: "eraser-system", podImages: [] });
  const pod = JSON.parse(JSON.stringify(built)) as Record<string, unknown> & { metadata: Record<string, unknown> };
  pod.metadata = {
    ...pod.metadata,
    name: `${job.name}-${nodeName}`,
    uid: "3f1c",
    resourceVersion: "4711",
    creationTimestamp: "2026-11-23T10:00:00Z",
    managedFields: [{ manager: "kubelet", operation: "Update", subresource: "status", fieldsType: "FieldsV1", fieldsV1: { "f:status": { "f:phase": {} } } }],
  };
  pod["status"] = {
    phase,
    conditions: [{ type: "Ready", status: "False", reason: "PodCompleted", lastTransitionTime: "2026-11-23T10:01:00Z" }],
    hostIP: "10.224.0.4",
    containerStatuses: ["collector", "trivy-scanner", "remover"].map((name) => ({
      name,
      image: "ghcr.io/eraser-ts/eraser-worker:v0.1.0",
      imageID: `ghcr.io/eraser-ts/eraser-worker@sha256:${"0".repeat(64)}`,
      containerID: "containerd://abc",
      ready: false,
      restartCount: 0,
      state: { terminated: { exitCode: name === "remover" ? exitCode : 0, reason: "Completed", startedAt: "2026-11-23T10:00:05Z", finishedAt: "2026-11-23T10:00:50Z", ...(name === "remover" ? { message: removerResult } : {}) } },
    })),
  };
  return pod;
}

function kept<T>(result: { object: T } | { refused: string }): T {
  if ("refused" in result) throw new Error(`refused: ${result.refused}`);
  return result.object;
}

function hasUndefinedValue(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasUndefinedValue);
  if (value === null || typeof value !== "object" || value instanceof Date) return false;
  return Object.values(value).some((v) => v === undefined || hasUndefinedValue(v));
}

describe("what the manager's caches keep", () => {
  test("a kept worker pod gives the same job progress as the full pod, at a fraction of its size", () => {
    const full = [finishedPodJson("node-a", "Succeeded", 0), finishedPodJson("node-b", "Failed", 1)];
    const slim = full.map((p) => kept(keepPod(p)));
    const now = Date.parse("2026-11-23T11:00:00Z");
    assert.deepEqual(jobProgress(slim, now, bounds), jobProgress(full as CachedPod[], now, bounds));
    assert.equal(jobProgress(slim, now, bounds).removed, 3 + 3);
    const [one] = slim;
    assert.ok(one !== undefined);
    assert.equal(one.spec?.nodeName, "node-a");
    assert.equal(one.metadata.labels?.["eraser.sh/job"], job.name);
    assert.equal(Object.hasOwn(one.metadata, "managedFields"), false);
    assert.equal(Object.hasOwn(one.spec ?? {}, "containers"), false);
    assert.equal(Object.hasOwn(one.status ?? {}, "conditions"), false);
    assert.ok(JSON.stringify(one).length * 4 < JSON.stringify(full[0]).length, `kept ${JSON.stringify(one).length} of ${JSON.stringify(full[0]).length} bytes`);
  });

  test("timestamps become Dates whether they come as strings (watch) or Dates (typed lists)", () => {
    const fromWatch = kept(keepPod({ metadata: { name: "p", creationTimestamp: "2026-11-23T10:00:00Z", deletionTimestamp: "2026-11-23T10:05:00Z" } }));
    const fromList = kept(keepPod({ metadata: { name: "p", creationTimestamp: new Date("2026-11-23T10:00:00Z"), deletionTimestamp: new Date("2026-11-23T10:05:00Z") } }));
    assert.deepEqual(fromWatch, fromList);
    assert.equal(fromWatch.metadata.creationTimestamp?.toISOString(), "2026-11-23T10:00:00.000Z");
  });

  test("keys client-node's typed lists set to undefined are absent, not undefined", () => {
    const typed = { metadata: { name: "p", namespace: undefined, labels: { a: "b" }, deletionTimestamp: undefined }, spec: { nodeName: "n", containers: [] }, status: { phase: undefined, containerStatuses: undefined } };
    const pod = kept(keepPod(typed));
    assert.equal(hasUndefinedValue(pod), false);
    assert.equal(pod.metadata.deletionTimestamp, undefined);
    assert.deepEqual(pod, { metadata: { name: "p", labels: { a: "b" } }, spec: { nodeName: "n" }, status: {} });
  });

  test("a kubelet-like Node keeps its name, labels, readiness and a number per image, and drops the rest of its status", () => {
    const spec = kubeletLikeNode("aks-nodepool1-31415926-vmss000000", 0);
    const full = JSON.parse(JSON.stringify({ apiVersion: "v1", kind: "Node", metadata: { name: spec.name, labels: spec.labels, annotations: spec.annotations, resourceVersion: "12" }, status: spec.status })) as { status: { conditions: { type: string; lastTransitionTime: string }[]; images: { names: string[] }[] } };
    const readySince = full.status.conditions.find((c) => c.type === "Ready")?.lastTransitionTime ?? "";
    const node = kept(keepNode(full));
    const images = nodeImageKeys(full.status.images);
    assert.equal(images.length, 50, "one key per image of the kubelet's list");
    assert.deepEqual(node, { metadata: { name: spec.name, labels: spec.labels, resourceVersion: "12" }, ready: { status: "True", since: new Date(readySince) }, images });
    assert.ok(JSON.stringify(node).length * 8 < JSON.stringify(full).length, `kept ${JSON.stringify(node).length} of ${JSON.stringify(full).length} bytes`);
    assert.equal(Object.hasOwn(kept(keepNode({ metadata: { name: "bare" } })), "images"), false, "a Node without an image list keeps no key for it");
  });

  test("a Node whose kubelet lists an image with no names (null, as the kubelet sends a dangling image) is kept, that image without a key", () => {
    const node = kept(keepNode(JSON.parse('{"metadata":{"name":"n"},"status":{"images":[{"names":null,"sizeBytes":1000},{"names":["docker.io/library/a:1"],"sizeBytes":5}]}}')));
    assert.equal(node.metadata.name, "n");
    assert.deepEqual(node.images, nodeImageKeys([{ names: ["docker.io/library/a:1"] }]));
  });

  test("an object without a name is refused with the reason, not cached as something else", () => {
    const result = keepNode({ metadata: { labels: { a: "b" } } });
    assert.ok("refused" in result);
    assert.match(result.refused, /metadata\.name/);
    assert.ok("refused" in keepWhole("not an object"));
  });

  test("a ConfigMap keeps its data (the manager config); ImageLists and ImageJobs are kept whole", () => {
    const cm = kept(keepConfigMap({ metadata: { name: "eraser-manager-config", uid: "u", managedFields: [{}] }, data: { "controller_manager_config.yaml": "x: 1" } }));
    assert.deepEqual(cm, { metadata: { name: "eraser-manager-config", uid: "u" }, data: { "controller_manager_config.yaml": "x: 1" } });
    const list = { apiVersion: "eraser.sh/v1", kind: "ImageList", metadata: { name: "imagelist" }, spec: { images: ["*"] } };
    assert.equal(kept(keepWhole(list)), list);
  });
});
