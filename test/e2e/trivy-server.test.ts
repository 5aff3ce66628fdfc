// The cluster's one trivy DB, on a real kubelet: the automatic job's trivy-scanner has no DB of
// its own and a dbRepo that refuses, so it can judge images only through the trivy server, and
// only with the token the kubelet gives it from Secret eraser-trivy-token.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { CoreV1Api } from "@kubernetes/client-node";
import { GrpcCriClient } from "../../src/cri/grpc-client.ts";
import { cleanImage, sharedCluster, vulnerableAlpineImage, type TestCluster } from "../harness/index.ts";
import { podSubnet } from "../harness/cni.ts";
import { eventually, operatorNamespace } from "../harness/manager-run.ts";
import { deleteAllEraserObjects, listImageJobs, workerPods } from "../harness/operator-fixtures.ts";
import { startOperatorStack, type OperatorStack } from "../harness/operator-stack.ts";
import { startTrivyServer, type TrivyServer } from "../harness/trivy-server.ts";

const lib = (name: string): string => `docker.io/library/${name}`;
const vulnerable = lib("srv-vulnerable:3.9");
const clean = lib("srv-clean:1");
const token = "e2e-trivy-token";
const work = mkdtempSync("/tmp/ets-e2e-tsrv-");
/** Pods reach the host at the pod network's gateway (the ptp plugin's host side). */
const hostFromPods = podSubnet.replace(/\.0\/24$/, ".1");
let cluster: TestCluster | undefined;
let stack: OperatorStack | undefined;
let server: TrivyServer | undefined;

before(async () => {
  cluster = await sharedCluster();
  server = await startTrivyServer(work, ["server"], { env: { TRIVY_TOKEN: token }, host: "0.0.0.0" });
  const port = new URL(server.url).port;
  const core = cluster.kubeConfig().makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: operatorNamespace } } }).catch(() => undefined);
  await core.createNamespacedSecret({ namespace: operatorNamespace, body: { metadata: { name: "eraser-trivy-token" }, stringData: { token } } });
  stack = await startOperatorStack(cluster, work, [vulnerableAlpineImage(vulnerable), cleanImage(clean)], {
    scan: { scannerConfig: `cacheDir: ${join(work, "node-trivy-cache")}\ndbRepo: 127.0.0.1:9/eraser-ts/no-trivy-db\nserver: http://${hostFromPods}:${port}` },
  });
});

after(async () => {
  if (cluster === undefined) return;
  if (stack !== undefined) {
    await deleteAllEraserObjects(stack.custom);
    await stack.core.deleteNamespacedSecret({ name: "eraser-trivy-token", namespace: operatorNamespace }).catch(() => undefined);
    await stack.stop();
  }
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe("a trivy server for the cluster, on a real node", () => {
  test("the scanner, with no DB of its own, judges through the server with the Secret's token, and the vulnerable image goes", async () => {
    assert.ok(stack && cluster);
    const custom = stack.custom;
    const job = await eventually(
      "an automatic ImageJob to finish",
      async () => (await listImageJobs(custom)).find((j) => j.status?.mode === "automatic" && (j.status.phase === "Completed" || j.status.phase === "Failed")),
      240_000,
    );
    const pod = (await workerPods(stack.core, job.metadata.name))[0];
    const scannerLog = (await cluster.kubectl(["logs", "-n", operatorNamespace, pod?.metadata?.name ?? "", "-c", "trivy-scanner"])).stdout;
    assert.equal(job.status?.phase, "Completed", `${JSON.stringify(job.status)}\ntrivy-scanner:\n${scannerLog}`);
    const cri = new GrpcCriClient(stack.node.containerd.endpoint);
    try {
      const tags = new Set((await cri.listImages()).flatMap((i) => i.repoTags));
      assert.ok(!tags.has(vulnerable), `the vulnerable image is removed\n${scannerLog}`);
      assert.ok(tags.has(clean), "the clean image stays");
    } finally {
      cri.close();
    }
    assert.match(scannerLog, /srv-vulnerable/, "the scanner flagged it");
  });
});
