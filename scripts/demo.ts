// npm run demo — the main job on an embedded local stack: a real Kubernetes v1.37 control plane
// and one kubelet node on containerd, the manager process, and a real remover pod. It loads a few
// images on the node (one used by a running pod), applies an ImageList that prunes ("*"), and shows
// what the remover removed, what it kept and why, and what the ImageJob and ImageList report.
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
step("starting a local cluster: control plane + 1 kubelet node on containerd");
const cluster = await startCluster({ nodes: 1, dir: join("/tmp", "eraser-ts-demo") });
const work = mkdtempSync("/tmp/eraser-ts-demo-work-");
let cri: GrpcCriClient | undefined;
try {
  step("installing CRDs, the manager (as a process) and the worker image on the node");
  const stack = await startOperatorStack(cluster, work, images);
  cri = new GrpcCriClient(stack.node.containerd.endpoint);
  await stack.core.createNamespace({ body: { metadata: { name: "demo" } } }).catch(() => undefined);
  await runPod(stack.core, { namespace: "demo", name: "web", node: stack.node.name, image: lib("demo-web:2.0"), command: ["/bin/sleep", "3600"] });
  await waitForPod(stack.core, "demo", "web", (_phase, running) => running);
  const beforeTags = (await cri.listImages()).flatMap((i) => i.repoTags).sort();
  console.log(`images on ${stack.node.name}:\n  ${beforeTags.join("\n  ")}`);

  step('kubectl apply: ImageList "imagelist" with images: ["*"] (remove every unused image)');
  await applyImageList(stack.custom, "imagelist", ["*"]);
  const custom = stack.custom;
  const job = await eventually("the ImageJob to finish", async () => (await listImageJobs(custom)).find((j) => j.status?.phase === "Completed" || j.status?.phase === "Failed"), 180_000);
  const pod = (await workerPods(stack.core, job.metadata.name))[0]?.metadata?.name ?? "";
  const logs = await cluster.kubectl(["logs", "-n", operatorNamespace, pod, "-c", "remover"]);
  step(`kubectl logs -n ${operatorNamespace} ${pod} -c remover (one line per decision)`);
  for (const line of logs.stdout.split("\n").filter((l) => l.includes('"decision"'))) {
    const entry = JSON.parse(line) as { decision: string; reason?: string; tags?: string[]; image: string };
    console.log(`  ${entry.decision.padEnd(8)} ${(entry.reason ?? "").padEnd(10)} ${(entry.tags ?? []).join(", ") || entry.image}`);
  }
  step("kubectl get imagejobs,imagelists");
  console.log((await cluster.kubectl(["get", "imagejobs,imagelists"])).stdout);
  const list = await eventually("the ImageList status", async () => {
    const current = await getImageList(custom, "imagelist");
    return current.status?.success === undefined ? undefined : current;
  });
  console.log(`ImageJob ${job.metadata.name}: phase ${job.status?.phase ?? "?"}, removed ${job.status?.removed ?? 0} image(s); ImageList status: success ${list.status?.success ?? 0}, failed ${list.status?.failed ?? 0}`);
  const afterTags = (await cri.listImages()).flatMap((i) => i.repoTags).sort();
  console.log(`images left on ${stack.node.name}:\n  ${afterTags.join("\n  ")}`);
  if (keep) {
    console.log(`\nThe stack keeps running: kubeconfig ${cluster.kubeconfigPath}; stop it with: npm run cluster:down -- --dir ${cluster.dir}`);
  } else {
    await stack.stop();
  }
  if (job.status?.phase !== "Completed") process.exitCode = 1;
} finally {
  cri?.close();
  rmSync(work, { recursive: true, force: true });
  if (!keep) await cluster.stop();
}
