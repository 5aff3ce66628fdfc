// npm run cluster:up -- --nodes 2   |   npm run cluster:down [-- --dir /tmp/eraser-ts-demo]
// Leaves the admin kubeconfig at .cluster/kubeconfig, kubectl and trivy in .cluster/bin, and each
// node's CRI socket at .cluster/nodes/<name>/containerd.sock; processes keep running until down.
import { copyFileSync, mkdirSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startCluster } from "../test/harness/cluster.ts";
import { bin, repoRoot } from "../test/harness/paths.ts";
import { clearStale } from "../test/harness/teardown.ts";

const clusterDir = "/tmp/eraser-ts-cluster";
const local = join(repoRoot, ".cluster");

async function up(nodes: number): Promise<void> {
  const started = Date.now();
  rmSync(local, { recursive: true, force: true });
  const cluster = await startCluster({ nodes, dir: clusterDir });
  mkdirSync(join(local, "bin"), { recursive: true });
  copyFileSync(cluster.kubeconfigPath, join(local, "kubeconfig"));
  symlinkSync(bin.kubectl, join(local, "bin", "kubectl"));
  symlinkSync(bin.trivy, join(local, "bin", "trivy"));
  for (const node of cluster.realNodes()) {
    mkdirSync(join(local, "nodes", node.name), { recursive: true });
    symlinkSync(node.containerd.socket, join(local, "nodes", node.name, "containerd.sock"));
    console.log(node.name);
  }
  console.error(`cluster:up: ${nodes} node(s) Ready in ${((Date.now() - started) / 1000).toFixed(1)} s; KUBECONFIG=${join(local, "kubeconfig")}`);
}

async function down(dir: string): Promise<void> {
  await clearStale(dir);
  rmSync(local, { recursive: true, force: true });
  console.error("cluster:down: stopped and removed");
}

const { positionals, values } = parseArgs({ allowPositionals: true, options: { nodes: { type: "string", default: "2" }, dir: { type: "string", default: clusterDir } } });
const command = positionals[0];
if (command === "up") {
  const nodes = Number(values.nodes);
  if (!Number.isInteger(nodes) || nodes < 0 || nodes > 5) throw new Error(`--nodes must be 0..5, got ${values.nodes}`);
  await up(nodes);
} else if (command === "down") {
  await down(values.dir);
} else {
  console.error("usage: node scripts/cluster.ts up [--nodes N] | down [--dir DIR]");
  process.exit(2);
}
