// What the manager's caches do when the real API server refuses them. A watch refused while its
// list is allowed (a role with `list` but not `watch`) reaches client-node as a bare "Forbidden";
// a custom resource whose CRD is missing as "404 page not found". The log says what to grant or
// install, the retries back off (ADR 0024), and once the watch is allowed the cache is current
// again: client-node then watches from the list's resource version without listing again.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { CoreV1Api, CustomObjectsApi, PatchStrategy, RbacAuthorizationV1Api, setHeaderOptions, type KubeConfig } from "@kubernetes/client-node";
import { sharedCluster, type TestCluster } from "../harness/index.ts";
import { captureLog } from "../harness/log-capture.ts";
import { eventually } from "../harness/manager-run.ts";
import { ResilientInformer } from "../../src/k8s/informer.ts";
import type { ListedPage, ListPage } from "../../src/k8s/paged-list.ts";
import { continueFrom, listedPage } from "../../src/k8s/paged-list.ts";
import { keepWhole } from "../../src/manager/cached-objects.ts";

const listOnly = "eraser-ts-test-nodes-list-only";
const user = "eraser-ts-test-list-only";
const node = "informer-refusals-a";
const selector = "eraser-ts.test/informer-refusals=true";
let cluster: TestCluster;
let rbac: RbacAuthorizationV1Api;

before(async () => {
  cluster = await sharedCluster();
  rbac = cluster.kubeConfig().makeApiClient(RbacAuthorizationV1Api);
  await cluster.addVirtualNodes([{ name: node, labels: { "eraser-ts.test/informer-refusals": "true" } }]);
  await rbac.createClusterRole({ body: { metadata: { name: listOnly }, rules: [{ apiGroups: [""], resources: ["nodes"], verbs: ["list"] }] } });
  await rbac.createClusterRoleBinding({ body: { metadata: { name: listOnly }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: listOnly }, subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: user }] } });
});

after(async () => {
  if ((rbac as RbacAuthorizationV1Api | undefined) === undefined) return;
  await rbac.deleteClusterRoleBinding({ name: listOnly }).catch(() => undefined);
  await rbac.deleteClusterRole({ name: listOnly }).catch(() => undefined);
  await cluster.deleteNode(node);
});

function informerOn(kubeConfig: KubeConfig, path: string, list: (page: ListPage) => Promise<ListedPage>) {
  const log = captureLog();
  const counts = { lists: 0 };
  const informer = new ResilientInformer({
    kubeConfig,
    path,
    labelSelector: selector,
    list: async (page) => {
      counts.lists++;
      return list(page);
    },
    keep: keepWhole,
    retryBaseMs: 100,
    logger: log.logger,
    onEvent: () => undefined,
  });
  return { informer, counts, warnings: () => log.lines().filter((l) => l["msg"] === "Watch failed; relisting") };
}

describe("caches the API server refuses", () => {
  test("a watch refused with its list allowed says what to grant and backs off; once allowed, the cache is current again without a new list", async () => {
    const kubeConfig = cluster.impersonate(user);
    const core = kubeConfig.makeApiClient(CoreV1Api);
    const { informer, counts, warnings } = informerOn(kubeConfig, "/api/v1/nodes", async ({ limit, continueToken }) => listedPage(await core.listNode({ labelSelector: selector, limit, ...continueFrom(continueToken) })));
    let lines: Record<string, unknown>[];
    try {
      await informer.start();
      // Retries after 100, 200, 400 and 800 ms: past them, four refusals.
      await new Promise((resolve) => setTimeout(resolve, 1700));
      assert.equal(informer.synced, false, "a cache whose watch is refused is not current");
      await rbac.patchClusterRole({ name: listOnly, body: { rules: [{ apiGroups: [""], resources: ["nodes"], verbs: ["list", "watch"] }] } }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
      await eventually("the cache to be current once the watch is allowed", () => Promise.resolve(informer.synced ? true : undefined), 20_000);
      assert.equal(counts.lists, 1, "client-node watched again from the list's resource version, without a second list");
      await cluster.kubeConfig().makeApiClient(CoreV1Api).patchNode({ name: node, body: { metadata: { labels: { "eraser-ts.test/seen": "yes" } } } }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
      await eventually("a change to reach the cache through the watch", () => Promise.resolve(informer.get(node)?.metadata?.labels?.["eraser-ts.test/seen"] === "yes" ? true : undefined), 15_000);
    } finally {
      await informer.stop();
      lines = warnings();
    }
    assert.equal(lines[0]?.["err"], "HTTP 403: Forbidden", "all client-node's Watch keeps of the refusal");
    assert.equal(lines[0]?.["hint"], "the API server does not let the manager list and watch /api/v1/nodes: its ServiceAccount needs get, list and watch there (deploy/rbac.yaml, or the chart's roles)");
    assert.deepEqual(lines.slice(0, 4).map((w) => w["retryInMs"]), [100, 200, 400, 800], "the list worked, but the refusals still back off");
  });

  test("a custom resource the API server does not serve says the CRDs are missing", async () => {
    const kubeConfig = cluster.kubeConfig();
    const custom = kubeConfig.makeApiClient(CustomObjectsApi);
    const path = "/apis/eraser.sh/v1/imagelistz";
    const { informer, counts, warnings } = informerOn(kubeConfig, path, async ({ limit }) => {
      await custom.listClusterCustomObject({ group: "eraser.sh", version: "v1", plural: "imagelistz", limit });
      return { items: [], resourceVersion: undefined, continueToken: undefined };
    });
    let lines: Record<string, unknown>[];
    try {
      await informer.start();
      await new Promise((resolve) => setTimeout(resolve, 400));
      assert.equal(informer.synced, false);
    } finally {
      await informer.stop();
      lines = warnings();
    }
    assert.ok(counts.lists >= 2, "the list is retried");
    assert.equal(lines[0]?.["err"], "HTTP 404: 404 page not found");
    assert.equal(lines[0]?.["hint"], `the API server does not serve ${path}: the eraser.sh CRDs are not installed (kubectl apply -f crds/, or install the chart)`);
  });
});
