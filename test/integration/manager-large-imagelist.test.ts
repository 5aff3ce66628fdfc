// ImageLists at the edge of what the API server stores, on the real API server (ADR 0025): one
// larger than a ConfigMap holds as text, applied with `kubectl apply --server-side` as the docs
// say, still runs, its list gzipped; one too large even gzipped, or with an entry no runtime
// accepts, starts no job and says why, on its status and in an Event.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import type { CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { completePod, type TestCluster } from "../harness/index.ts";
import { manyTeamsImages, randomTagImages } from "../harness/large-lists.ts";
import { eventually, operatorNamespace, startManagerProcess, type ManagerProcess } from "../harness/manager-run.ts";
import { applyImageList, deleteAllEraserObjects, getImageList, listImageJobs, nodeResult, optOutRealNodes, prepareManagerTest, setManagerConfig, workerPods } from "../harness/operator-fixtures.ts";

let cluster: TestCluster;
let core: CoreV1Api;
let custom: CustomObjectsApi;
let manager: ManagerProcess | undefined;
const virtual = ["big-a", "big-b"];

const config = `apiVersion: eraser.sh/v1alpha3
kind: EraserConfig
manager:
  imageJob:
    cleanup: { delayOnSuccess: 1m, delayOnFailure: 1m }
components:
  collector: { enabled: false }
  scanner: { enabled: false }
  remover:
    image: { repo: example.test/remover, tag: t1 }
`;

before(async () => {
  ({ cluster, core, custom } = await prepareManagerTest(virtual.map((name) => ({ name }))));
  await setManagerConfig(core, config);
  manager = await startManagerProcess(cluster);
  await manager.waitForLog(/Started leading/);
});

after(async () => {
  if ((cluster as TestCluster | undefined) === undefined) return;
  await manager?.stop();
  await deleteAllEraserObjects(custom);
  for (const name of virtual) await cluster.deleteNode(name);
  await optOutRealNodes(cluster, false);
});

async function jobFor(generation: number, timeoutMs?: number) {
  return eventually(`the ImageJob for generation ${generation}`, async () => (await listImageJobs(custom)).find((j) => j.metadata.annotations?.["eraser.sh/imagelist-generation"] === String(generation)), timeoutMs);
}

/** The refused generation's status message, once its Warning Event with that message is there too. */
async function refusal(generation: number) {
  const list = await eventually(`generation ${generation} to be refused`, async () => {
    const current = await getImageList(custom, "imagelist");
    return current.status?.observedGeneration === generation ? current : undefined;
  }, 20_000);
  const message = list.status?.message ?? "";
  // The manager writes the status first, then records the Event.
  const event = await eventually(`an InvalidImageList Event for generation ${generation}`, async () => {
    const events = await core.listNamespacedEvent({ namespace: "default", fieldSelector: "involvedObject.name=imagelist,reason=InvalidImageList" });
    return events.items.find((e) => e.message === `not run, nothing removed: ${message}`);
  }, 10_000);
  const jobs = (await listImageJobs(custom)).filter((j) => j.metadata.annotations?.["eraser.sh/imagelist-generation"] === String(generation));
  assert.ok(event.type === "Warning");
  return { message, jobs: jobs.length };
}

describe("ImageLists at the edge of what the API server stores", () => {
  test("a list larger than a ConfigMap holds as text runs on every node, its list gzipped to the same JSON", async () => {
    // 16,000 references of a registry's many teams: ~1.1 MB of JSON, more than a ConfigMap's 1 MiB.
    const images = ["docker.io/library/alpine:3.7.3", ...manyTeamsImages()];
    const manifest = JSON.stringify({ apiVersion: "eraser.sh/v1", kind: "ImageList", metadata: { name: "imagelist" }, spec: { images } });
    // Client-side apply copies the whole object into an annotation, which holds at most 256 KiB;
    // the docs say to apply a large list server-side (or to create it).
    const clientSide = await cluster.kubectl(["apply", "-f", "-"], { input: manifest });
    assert.match(clientSide.stderr, /metadata\.annotations: Too long: may not be more than 262144 bytes/);
    const serverSide = await cluster.kubectl(["apply", "--server-side", "-f", "-"], { input: manifest });
    assert.equal(serverSide.exitCode, 0, serverSide.stderr);
    const job = await jobFor(1, 20_000);
    const carried = await eventually("the job's image list", async () => core.readNamespacedConfigMap({ name: `${job.metadata.name}-imagelist`, namespace: operatorNamespace }).catch(() => undefined), 10_000);
    assert.equal(carried.data?.["images"], undefined, "not as text: it would not fit");
    const gzipped = Buffer.from(carried.binaryData?.["images"] ?? "", "base64");
    assert.equal(gunzipSync(gzipped).toString("utf8"), JSON.stringify(images), "the ConfigMap carries the whole list");

    const pods = await eventually("a remover pod on each node", async () => {
      const made = await workerPods(core, job.metadata.name);
      return made.length === virtual.length ? made : undefined;
    }, 20_000);
    for (const pod of pods) {
      assert.ok(pod.spec?.volumes?.some((v) => v.configMap?.name === carried.metadata?.name), "the pod mounts the list");
      await completePod(core, operatorNamespace, pod.metadata?.name ?? "", { remover: { exitCode: 0, message: nodeResult(1) } });
    }
    const done = await eventually("the job to complete", async () => {
      const current = (await listImageJobs(custom)).find((j) => j.metadata.name === job.metadata.name);
      return current?.status?.phase === "Completed" ? current : undefined;
    });
    assert.equal(done.status?.succeeded, virtual.length);
  });

  test("a list too large even gzipped starts no job, and its status and an Event give its size", async () => {
    // Random tags do not compress: ~1.5 MB of them, which etcd still stores, are above 1 MiB gzipped.
    const images = randomTagImages();
    await applyImageList(custom, "imagelist", images);
    const refused = await refusal(2);
    const bytes = Buffer.byteLength(JSON.stringify(images));
    assert.equal(refused.message, `the list is ${bytes} bytes of JSON and more than 1048576 bytes gzipped, the most a ConfigMap carries to the nodes; split it into smaller lists applied one after another`);
    assert.equal(refused.jobs, 0, "no job, so no node removes anything");
  });

  test("a list with an entry no runtime accepts starts no job, and says which entry", async () => {
    await applyImageList(custom, "imagelist", ["docker.io/library/alpine:3.7.3", "Docker.io/Library/Alpine:3.7.3"]);
    const refused = await refusal(3);
    assert.match(refused.message, /Docker\.io\/Library\/Alpine:3\.7\.3/);
    assert.equal(refused.jobs, 0);
  });
});
