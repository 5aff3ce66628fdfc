// npm run demo — the main job on an embedded local stack: a real Kubernetes v1.37 control plane
// and two kubelet nodes on containerd, the manager process, and one real remover pod per node. It
// loads the same few images on both nodes (one used by a running pod on the first node only),
// applies an ImageList that prunes ("*"), and shows what each node's remover removed, what it kept
// and why, and what the ImageJob and ImageList report.
// `--keep` leaves the stack running (kubeconfig path printed); otherwise it is torn down.
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { GrpcCriClient } from "../src/cri/grpc-client.ts";
import { busyboxImage, markerImage, startCluster } from "../test/harness/index.ts";
import { eventually, operatorNamespace } from "../test/harness/manager-run.ts";
import { applyImageList, getImageList, listImageJobs, workerPods } from "../test/harness/operator-fixtures.ts";
import { startOperatorStack } from "../test/harness/operator-stack.ts";
import { runPod, waitForPod } from "../test/harness/pods.ts";
import { ensureWorkerBuilt } from "../test/harness/worker-run.ts";

const keep = process.argv.includes("--keep");
const lib = (name: string): string => `docker.io/library/${name}`;
const images = [busyboxImage(lib("demo-web:2.0")), markerImage(lib("demo-web:1.0")), markerImage(lib("demo-batch:0.9")), markerImage("registry.example.com/team/old-tool:3")];
const step = (text: string): void => {
  console.log(`\n== ${text}`);
};

ensureWorkerBuilt();
step("starting a local cluster: control plane + 2 kubelet nodes on containerd");
const cluster = await startCluster({ nodes: 2, dir: join("/tmp", "eraser-ts-demo") });
const work = mkdtempSync("/tmp/eraser-ts-demo-work-");
const clients: GrpcCriClient[] = [];
/** The tags on a node's containerd, sorted, one per line. */
async function imagesOn(cri: GrpcCriClient): Promise<string> {
  return (await cri.listImages()).flatMap((i) => i.repoTags).sort().join("\n  ");
}
try {
  step("installing CRDs, the manager (as a process) and the worker image on both nodes");
  const stack = await startOperatorStack(cluster, work, images, { everyRealNode: true });
  const nodes = stack.nodes.map((node) => ({ node, cri: new GrpcCriClient(node.containerd.endpoint) }));
  clients.push(...nodes.map((n) => n.cri));
  for (const { node, cri } of nodes) {
    const runtime = await cri.version();
    console.log(`${node.name} runs ${runtime.runtimeName} ${runtime.runtimeVersion}`);
  }
  await stack.core.createNamespace({ body: { metadata: { name: "demo" } } }).catch(() => undefined);
  await runPod(stack.core, { namespace: "demo", name: "web", node: stack.node.name, image: lib("demo-web:2.0"), command: ["/bin/sleep", "3600"] });
  await waitForPod(stack.core, "demo", "web", (_phase, running) => running);
  console.log(`pod demo/web runs demo-web:2.0 on ${stack.node.name} only`);
  for (const { node, cri } of nodes) console.log(`images on ${node.name}:\n  ${await imagesOn(cri)}`);

  step('kubectl apply: ImageList "imagelist" with images: ["*"] (remove every unused image)');
  await applyImageList(stack.custom, "imagelist", ["*"]);
  const custom = stack.custom;
  const job = await eventually("the ImageJob to finish", async () => (await listImageJobs(custom)).find((j) => j.status?.phase === "Completed" || j.status?.phase === "Failed"), 180_000);
  const pods = (await workerPods(stack.core, job.metadata.name)).sort((a, b) => (a.spec?.nodeName ?? "").localeCompare(b.spec?.nodeName ?? ""));
  for (const pod of pods) {
    const name = pod.metadata?.name ?? "";
    const logs = await cluster.kubectl(["logs", "-n", operatorNamespace, name, "-c", "remover"]);
    step(`kubectl logs -n ${operatorNamespace} ${name} -c remover (node ${pod.spec?.nodeName ?? "?"}; one line per decision)`);
    for (const line of logs.stdout.split("\n").filter((l) => l.includes('"decision"'))) {
      const entry = JSON.parse(line) as { decision: string; reason?: string; tags?: string[]; image: string };
      console.log(`  ${entry.decision.padEnd(8)} ${(entry.reason ?? "").padEnd(10)} ${(entry.tags ?? []).join(", ") || entry.image}`);
    }
  }
  step("kubectl get imagejobs,imagelists");
  console.log((await cluster.kubectl(["get", "imagejobs,imagelists"])).stdout);
  const list = await eventually("the ImageList status", async () => {
    const current = await getImageList(custom, "imagelist");
    return current.status?.success === undefined ? undefined : current;
  });
  console.log(`ImageJob ${job.metadata.name}: phase ${job.status?.phase ?? "?"}, removed ${job.status?.removed ?? 0} image(s); ImageList status: success ${list.status?.success ?? 0}, failed ${list.status?.failed ?? 0}`);
  for (const { node, cri } of nodes) console.log(`images left on ${node.name}:\n  ${await imagesOn(cri)}`);
  if (keep) {
    console.log(`\nThe stack keeps running: kubeconfig ${cluster.kubeconfigPath}; stop it with: npm run cluster:down -- --dir ${cluster.dir}`);
  } else {
    await stack.stop();
  }
  if (job.status?.phase !== "Completed") process.exitCode = 1;
} finally {
  for (const cri of clients) cri.close();
  rmSync(work, { recursive: true, force: true });
  if (!keep) await cluster.stop();
}
