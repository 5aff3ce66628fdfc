// The README's two installs, on the test ground: the CRDs, then `kubectl apply -k deploy/` or
// `helm install` of the chart, with the manager running as a pod from its image (built here) on a
// real kubelet, under the install's ServiceAccount, RBAC, security context and probes, with its
// in-cluster config. The other e2e files run the manager as a process; this one proves that what a
// user installs runs.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { CoordinationV1Api, CoreV1Api, type CustomObjectsApi } from "@kubernetes/client-node";
import { GrpcCriClient } from "../../src/cri/grpc-client.ts";
import { buildImageLayout, importImages, markerImage, repoRoot, sharedCluster, type RealNode, type TestCluster } from "../harness/index.ts";
import { installFromChart, installFromDeploy, localManagerImage, managerDeployment, type DeployInstall } from "../harness/deploy-install.ts";
import { eventually, operatorNamespace } from "../harness/manager-run.ts";
import { managerImage } from "../harness/oci/operator-images.ts";
import { customApi, deleteAllEraserObjects, getImageList, listImageJobs } from "../harness/operator-fixtures.ts";
import { nodeRuntimeEndpoint } from "../harness/containerd.ts";
import { loadImages, localScannerImage, localWorkerImage, realNodeConfig, restoreImageStores } from "../harness/operator-stack.ts";
import { guardImageStores, type ImageStoreGuard } from "../harness/image-store-guard.ts";

/** One image for each install to remove. */
const victimOf = (way: number): string => `docker.io/library/e2e-install-victim-${way}:1`;
const unlisted = "docker.io/library/e2e-install-unlisted:1";
const managerRef = `${localManagerImage.repo}:${localManagerImage.tag}`;
const leaseName = "eraser-manager-leader";
const work = mkdtempSync("/tmp/ets-e2e-install-");
let cluster: TestCluster | undefined;
let node: RealNode | undefined;
let others: RealNode[] = [];
let core: CoreV1Api;
let custom: CustomObjectsApi;
let coordination: CoordinationV1Api;
let stores: ImageStoreGuard | undefined;

async function tags(): Promise<Set<string>> {
  assert.ok(node);
  const cri = new GrpcCriClient(node.containerd.endpoint);
  try {
    return new Set((await cri.listImages()).flatMap((i) => i.repoTags));
  } finally {
    cri.close();
  }
}

/** The host's processes running `command`, with their real user IDs (from /proc). */
function processesRunning(command: string): { pid: number; uid: number }[] {
  const found: { pid: number; uid: number }[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").join(" ").trim();
      if (cmdline !== command) continue;
      const uid = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${entry}/status`, "utf8"))?.[1];
      if (uid !== undefined) found.push({ pid: Number(entry), uid: Number(uid) });
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

/** The Lease's holder: "" once released, undefined before any manager took it. */
async function holder(): Promise<string | undefined> {
  return (await coordination.readNamespacedLease({ name: leaseName, namespace: operatorNamespace })).spec?.holderIdentity;
}

/** The chart's values for the test ground: what realNodeConfig gives the kubectl install. */
const chartValues = (httpPort: number): object => ({
  imageCleanerIntervalHours: 720,
  images: {
    manager: { repository: localManagerImage.repo, tag: localManagerImage.tag },
    worker: { repository: localWorkerImage.repo, tag: localWorkerImage.tag },
    scanner: { repository: localScannerImage.repo, tag: localScannerImage.tag },
  },
  manager: { replicas: 1, httpPort, imagePullPolicy: "Never" },
  config: {
    manager: {
      runtime: { address: nodeRuntimeEndpoint },
      scheduling: { beginImmediately: false },
      imageJob: { cleanup: { delayOnSuccess: "10m", delayOnFailure: "10m" } },
    },
    components: { collector: { enabled: false }, scanner: { enabled: false } },
  },
});

const installs: { way: string; install: (c: TestCluster) => Promise<DeployInstall> }[] = [
  { way: "deploy/ installed with kubectl apply -k", install: (c) => installFromDeploy(c, realNodeConfig()) },
  { way: "the Helm chart installed with helm install", install: (c) => installFromChart(c, chartValues, work) },
];

before(async () => {
  cluster = await sharedCluster();
  [node, ...others] = cluster.realNodes();
  assert.ok(node, "the test ground has a real node");
  core = cluster.kubeConfig().makeApiClient(CoreV1Api);
  coordination = cluster.kubeConfig().makeApiClient(CoordinationV1Api);
  custom = customApi(cluster);
  for (const other of others) await cluster.kubectl(["label", "node", other.name, "eraser.sh/cleanup.filter=true", "--overwrite"]);
  stores = await guardImageStores(cluster.realNodes());
  // The scheduler may place the manager on any real node, as a registry would serve it to any.
  await loadImages(node, work, [managerImage(managerRef), ...installs.map((_, way) => markerImage(victimOf(way))), markerImage(unlisted)], false);
  const managerTar = join(work, "manager-image.tar");
  buildImageLayout([managerImage(managerRef)], managerTar);
  for (const other of others) await importImages(other.containerd, managerTar);
  const crds = await cluster.kubectl(["apply", "-f", join(repoRoot, "crds")]);
  assert.equal(crds.exitCode, 0, crds.stderr);
  await cluster.kubectl(["wait", "--for=condition=Established", "--timeout=60s", "crd/imagelists.eraser.sh", "crd/imagejobs.eraser.sh"]);
});

after(async () => {
  if (cluster === undefined) return;
  for (const other of others) await cluster.kubectl(["label", "node", other.name, "eraser.sh/cleanup.filter-"]);
  if (stores !== undefined) await restoreImageStores(stores);
  rmSync(work, { recursive: true, force: true });
});

for (const [index, { way, install: installWay }] of installs.entries()) describe(way, () => {
  const victim = victimOf(index);
  let install: DeployInstall | undefined;
  before(async () => {
    assert.ok(cluster && node);
    install = await installWay(cluster);
  });
  after(async () => {
    if (cluster === undefined) return;
    await deleteAllEraserObjects(custom);
    await install?.uninstall();
  });

  test("the manager is scheduled, runs from its image as user 65532, passes its probes and leads with its own ServiceAccount", async () => {
    assert.ok(install);
    const pods = (await core.listNamespacedPod({ namespace: operatorNamespace, labelSelector: "control-plane=controller-manager" })).items;
    assert.equal(pods.length, 1);
    const pod = pods[0];
    assert.equal(pod?.spec?.containers[0]?.image, managerRef);
    assert.equal(pod?.spec?.serviceAccountName, "eraser-controller-manager");
    const realNodes = [node, ...others].map((n) => n?.name);
    assert.ok(realNodes.includes(pod?.spec?.nodeName), `the scheduler placed the pod on a real node (${pod?.spec?.nodeName ?? "none"})`);
    const ready = pod?.status?.conditions?.find((c) => c.type === "Ready");
    assert.equal(ready?.status, "True", "the kubelet's readiness probe reached /readyz in the pod");

    const managers = processesRunning("/usr/local/bin/node /app/dist/eraser-manager --http-port=" + String(install.httpPort));
    assert.equal(managers.length, 1, "one manager process on the node");
    assert.equal(managers[0]?.uid, 65532, "the manager runs as the install's non-root user");

    // The pod's own PID namespace makes it PID 1: the Lease is held from inside the container.
    assert.match(await eventually("the Lease held", async () => {
      const identity = await holder();
      return identity === "" ? undefined : identity;
    }), /_1$/);
    const health = await fetch(`http://127.0.0.1:${install.httpPort}/healthz`);
    assert.equal(health.status, 200);
  });

  test("an ImageList applied with kubectl removes its image through the installed manager, with Events and metrics", async (t) => {
    assert.ok(cluster && install);
    const before = await tags();
    for (const ref of [victim, unlisted]) assert.ok(before.has(ref), `${ref} is on the node before the run`);
    // Only the job this ImageList starts counts: a job an earlier test left must not stand in for it.
    const earlier = await listImageJobs(custom);
    if (earlier.length > 0) t.diagnostic(`jobs before the ImageList: ${JSON.stringify(earlier.map((j) => [j.metadata.name, j.status?.mode, j.status?.phase]))}`);
    const list = `apiVersion: eraser.sh/v1\nkind: ImageList\nmetadata:\n  name: imagelist\nspec:\n  images:\n    - ${victim}\n`;
    const applied = await cluster.kubectl(["apply", "-f", "-"], { input: list });
    assert.equal(applied.exitCode, 0, applied.stderr);

    const seen = new Set(earlier.map((j) => j.metadata.name));
    const job = await eventually(
      "the ImageList's job to finish",
      async () => (await listImageJobs(custom)).find((j) => !seen.has(j.metadata.name) && (j.status?.phase === "Completed" || j.status?.phase === "Failed")),
      180_000,
    );
    assert.equal(job.status?.phase, "Completed", JSON.stringify(job.status));
    const after = await tags();
    assert.ok(!after.has(victim), `the listed image is gone from the node's containerd; job ${job.metadata.name}: ${JSON.stringify(job.status)}`);
    assert.ok(after.has(unlisted), "an image nobody listed stays");
    assert.ok(after.has(managerRef), "the manager's own image stays");

    const status = await eventually("the ImageList status", async () => (await getImageList(custom, "imagelist")).status?.success);
    assert.equal(status, 1);
    // Events about cluster-scoped objects live in "default": the ClusterRole must allow them.
    const events = await eventually("the JobCompleted Event", async () => {
      const found = (await core.listNamespacedEvent({ namespace: "default" })).items.filter((e) => e.reason === "JobCompleted" && e.involvedObject.name === job.metadata.name);
      return found.length > 0 ? found : undefined;
    });
    assert.equal(events[0]?.type, "Normal");
    const metrics = await (await fetch(`http://127.0.0.1:${install.httpPort}/metrics`)).text();
    assert.match(metrics, /^images_removed_run_total 1$/m, "Prometheus sees the removal at the pod's /metrics");
  });

  test("deleting the Deployment stops the manager gracefully: it gives up its Lease", async () => {
    assert.ok(cluster);
    const deleted = await cluster.kubectl(["delete", `deployment/${managerDeployment}`, "-n", operatorNamespace, "--wait=true", "--timeout=60s"]);
    assert.equal(deleted.exitCode, 0, deleted.stderr);
    await eventually("the manager pod gone", async () => {
      const pods = (await core.listNamespacedPod({ namespace: operatorNamespace, labelSelector: "control-plane=controller-manager" })).items;
      return pods.length === 0 ? true : undefined;
    });
    assert.equal(await holder(), "", "a stopped manager hands its Lease back instead of leaving it to expire");
  });

  test("uninstalling leaves none of the operator's RBAC, accounts or config behind", async () => {
    assert.ok(cluster && install);
    await install.uninstall();
    for (const object of ["clusterrole/eraser-manager-role", "clusterrolebinding/eraser-manager-rolebinding"]) {
      const r = await cluster.kubectl(["get", object, "--ignore-not-found", "-o", "name"]);
      assert.equal(r.stdout.trim(), "", `${object} is gone`);
    }
    const namespaced = ["serviceaccount/eraser-controller-manager", "serviceaccount/eraser-imagejob-pods", "role/eraser-manager-role", "rolebinding/eraser-manager-rolebinding", "configmap/eraser-manager-config"];
    const left = await cluster.kubectl(["get", ...namespaced, "-n", operatorNamespace, "--ignore-not-found", "-o", "name"]);
    assert.equal(left.stdout.trim(), "", "nothing of the install is left in its namespace");
  });
});
