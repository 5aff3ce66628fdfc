// The manager's informers on the real API server: they list in pages and cache only what the
// controllers read, for listed objects and for every watch event after.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { CoreV1Api, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { sharedCluster, type TestCluster } from "../harness/index.ts";
import { kubeletLikeNode } from "../harness/kubelet-like-node.ts";
import { eventually } from "../harness/manager-run.ts";
import { ResilientInformer } from "../../src/k8s/informer.ts";
import { continueFrom, listedPage } from "../../src/k8s/paged-list.ts";
import { keepNode, type CachedNode } from "../../src/manager/cached-objects.ts";
import { nodeImageKeys } from "../../src/manager/scan-once/node-images.ts";
import { createLogger } from "../../src/observability/logger.ts";

let cluster: TestCluster;
let core: CoreV1Api;
const selector = "eraser-ts.test/informer-cache=true";
const names = Array.from({ length: 5 }, (_, i) => `informer-cache-${i}`);

before(async () => {
  cluster = await sharedCluster();
  core = cluster.kubeConfig().makeApiClient(CoreV1Api);
  await cluster.addVirtualNodes(names.map((name, i) => {
    const spec = kubeletLikeNode(name, i);
    return { ...spec, labels: { ...spec.labels, "eraser-ts.test/informer-cache": "true" } };
  }));
});
after(async () => {
  if ((core as CoreV1Api | undefined) === undefined) return;
  for (const name of names) await cluster.deleteNode(name);
});

describe("informer cache", () => {
  test("Nodes are listed two per page and cached with their labels, readiness and a number per image only; watch updates and deletes are kept the same way", async () => {
    const pages: (string | undefined)[] = [];
    const informer = new ResilientInformer<CachedNode>({
      kubeConfig: cluster.kubeConfig(),
      path: "/api/v1/nodes",
      labelSelector: selector,
      pageSize: 2,
      list: async ({ limit, continueToken }) => {
        pages.push(continueToken);
        return listedPage(await core.listNode({ labelSelector: selector, limit, ...continueFrom(continueToken) }));
      },
      keep: keepNode,
      logger: createLogger({ level: "silent" }),
      onEvent: () => undefined,
    });
    await informer.start();
    try {
      assert.equal(pages.length, 3, "5 nodes at 2 per page is 3 pages");
      assert.equal(pages[0], undefined);
      assert.deepEqual(informer.list().map((n) => n.metadata.name).sort(), names);
      const first = informer.get(names[0] ?? "");
      assert.equal(first?.metadata.labels?.["agentpool"], "nodepool1");
      assert.deepEqual(Object.keys(first ?? {}).sort(), ["images", "metadata", "ready"], "of the node's status only its readiness and its images' keys are cached");
      assert.deepEqual(Object.keys(first?.ready ?? {}).sort(), ["since", "status"]);
      const full = await core.readNode({ name: names[0] ?? "" });
      assert.equal(full.status?.images?.length, 50, "the API server has the full node");
      assert.deepEqual(first?.images, nodeImageKeys(full.status?.images), "one number per listed image");

      await core.patchNode({ name: names[0] ?? "", body: { metadata: { labels: { "eraser.sh/cleanup.filter": "true" } }, spec: { unschedulable: true } } }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
      const updated = await eventually("the label change reaches the cache", () => {
        const node = informer.get(names[0] ?? "");
        return Promise.resolve(node?.metadata.labels?.["eraser.sh/cleanup.filter"] === "true" ? node : undefined);
      }, 15_000);
      assert.deepEqual(Object.keys(updated).sort(), ["cordoned", "images", "metadata", "ready"], "a cordon is kept, as a drain leaves it");

      await core.deleteNode({ name: names[4] ?? "" });
      await eventually("the deletion reaches the cache", () => Promise.resolve(informer.get(names[4] ?? "") === undefined ? true : undefined), 15_000);
      assert.equal(informer.list().length, 4);
    } finally {
      await informer.stop();
    }
  });
});
