// The test ground as one object: a control plane, real nodes (containerd + kubelet) and virtual
// Node objects. Its state file lets another process attach (tier runner -> test files) or clean up.
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startContainerd, type ContainerdInstance, type ContainerdRelease } from "./containerd.ts";
import { restartApiServer, startControlPlane } from "./control-plane.ts";
import { removeHosts } from "./hosts.ts";
import { startKubelet } from "./kubelet.ts";
import { bin } from "./paths.ts";
import { stopPid, waitFor } from "./process.ts";
import { planeFromDir } from "./plane-view.ts";
import { readState, writeState, type ClusterState } from "./state.ts";
import { clearStale, teardownState } from "./teardown.ts";
import { createVirtualNodes, isNodeReady, type VirtualNodeSpec } from "./virtual-nodes.ts";


export interface NodeSpec {
  name: string;
  labels?: Record<string, string>;
  /** Default "1.6". */
  containerd?: ContainerdRelease;
}

export interface RealNode {
  name: string;
  containerd: ContainerdInstance;
}

export interface KubectlResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export class TestCluster {
  #state: ClusterState;

  constructor(state: ClusterState) {
    this.#state = state;
  }

  get dir(): string {
    return this.#state.dir;
  }
  get server(): string {
    return this.#state.server;
  }
  get kubeconfigPath(): string {
    return this.#state.kubeconfigPath;
  }

  kubeConfig(): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromFile(this.#state.kubeconfigPath);
    return kc;
  }

  /** Acts as `user` through impersonation (the API server adds a ServiceAccount's groups itself). */
  impersonate(user: string): KubeConfig {
    const kc = this.kubeConfig();
    const current = kc.getCurrentUser();
    if (current === null) throw new Error("admin kubeconfig has no user");
    kc.users = kc.users.map((u) => (u.name === current.name ? { ...u, impersonateUser: user } : u));
    return kc;
  }

  /** A kubeconfig file that impersonates `user` (for processes such as the manager). */
  impersonatedKubeconfigFile(user: string): string {
    const body = JSON.parse(readFileSync(this.#state.kubeconfigPath, "utf8")) as { users: { user: Record<string, unknown> }[] };
    for (const u of body.users) u.user["as"] = user;
    const file = join(this.#state.dir, `kubeconfig-as-${user.replace(/[^a-z0-9-]/gi, "_")}`);
    writeFileSync(file, JSON.stringify(body), { mode: 0o600 });
    return file;
  }

  serviceAccountKubeConfig(namespace: string, name: string): KubeConfig {
    return this.impersonate(`system:serviceaccount:${namespace}:${name}`);
  }

  async kubectl(args: string[], options: { input?: string; as?: string } = {}): Promise<KubectlResult> {
    const full = ["--kubeconfig", this.#state.kubeconfigPath, ...(options.as === undefined ? [] : [`--as=${options.as}`]), ...args];
    return new Promise((resolve) => {
      const child = execFile(bin.kubectl, full, { maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
        resolve({ stdout, stderr, exitCode: code });
      });
      child.stdin?.end(options.input ?? "");
    });
  }

  realNodes(): RealNode[] {
    return this.#state.nodes.map((n) => ({
      name: n.name,
      containerd: {
        name: n.name,
        baseDir: n.dir,
        socket: n.socket,
        endpoint: `unix://${n.socket}`,
        pid: n.containerdPid,
        release: n.release,
        sandboxImage: "registry.k8s.io/pause:eraser-ts",
        stop: () => Promise.reject(new Error("stop real nodes through the cluster")),
      },
    }));
  }

  async addRealNode(spec: NodeSpec): Promise<RealNode> {
    const dir = join(this.#state.dir, "nodes", spec.name);
    mkdirSync(dir, { recursive: true });
    const containerd = await startContainerd({
      name: spec.name,
      baseDir: join(dir, "ctd"),
      ipamDir: join(this.#state.dir, "ipam"),
      ownMountNamespace: true,
      release: spec.containerd ?? "1.6",
    });
    const plane = this.#planeView();
    const kubelet = await startKubelet(plane, { name: spec.name, dir, runtimeEndpoint: containerd.endpoint, labels: spec.labels ?? {}, mountNamespaceOf: containerd.pid });
    this.#state.nodes.push({ name: spec.name, dir: containerd.baseDir, socket: containerd.socket, containerdPid: containerd.pid, release: containerd.release, kubeletPid: kubelet.pid });
    writeState(this.#state);
    const core = this.kubeConfig().makeApiClient(CoreV1Api);
    await waitFor(`node ${spec.name} Ready`, () => isNodeReady(core, spec.name), { timeoutMs: 120_000, daemon: kubelet });
    return { name: spec.name, containerd };
  }

  async addVirtualNodes(specs: readonly VirtualNodeSpec[]): Promise<void> {
    await createVirtualNodes(this.kubeConfig().makeApiClient(CoreV1Api), specs);
    this.#state.virtualNodes.push(...specs.map((s) => s.name));
    writeState(this.#state);
  }

  /**
   * Freezes a real node's kubelet (SIGSTOP) without ending it: to the control plane the node is
   * lost, as when its network goes (no status, no lease renewed, no pod started), while its
   * containerd and containers run on. `thawKubelet` resumes it where it stopped.
   */
  freezeKubelet(name: string): void {
    process.kill(this.#realNode(name).kubeletPid, "SIGSTOP");
  }

  thawKubelet(name: string): void {
    process.kill(this.#realNode(name).kubeletPid, "SIGCONT");
  }

  #realNode(name: string): ClusterState["nodes"][number] {
    const real = this.#state.nodes.find((n) => n.name === name);
    if (real === undefined) throw new Error(`${name} is not a real node of the test ground`);
    return real;
  }

  async deleteNode(name: string): Promise<void> {
    const core = this.kubeConfig().makeApiClient(CoreV1Api);
    const real = this.#state.nodes.find((n) => n.name === name);
    if (real !== undefined) {
      await stopPid(real.kubeletPid);
      this.#state.nodes = this.#state.nodes.filter((n) => n !== real);
      removeHosts([name]);
    }
    await core.deleteNode({ name }).catch(() => undefined);
    this.#state.virtualNodes = this.#state.virtualNodes.filter((n) => n !== name);
    writeState(this.#state);
  }

  /**
   * Restarts the API server in place (same flags, port and etcd), as a control-plane upgrade does:
   * every watch and request of every client ends, and clients must list again.
   */
  async restartApiServer(): Promise<void> {
    const plane = planeFromDir(this.#state);
    const pid = this.#state.controlPlanePids.find((p) => pidCommand(p).includes("kube-apiserver"));
    if (pid === undefined) throw new Error("the test ground's kube-apiserver pid is not in its state");
    const restarted = await restartApiServer(plane, pid);
    this.#state.controlPlanePids = this.#state.controlPlanePids.map((p) => (p === pid ? restarted : p));
    writeState(this.#state);
  }

  /** Stops what the state file names: a test file may have changed it (restartApiServer). */
  async stop(): Promise<void> {
    await teardownState(readState(this.#state.dir) ?? this.#state);
  }

  /** The control-plane facts a kubelet needs, rebuilt from the state directory. */
  #planeView(): Parameters<typeof startKubelet>[0] {
    return planeFromDir(this.#state);
  }
}



/** The command line of a running process (empty if it has gone). */
function pidCommand(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8");
  } catch {
    return "";
  }
}

/**
 * node-1, node-2, ...: odd nodes run Debian's containerd 1.6, even ones containerd 2, so every
 * test that runs on both real nodes covers both (a cluster mid-upgrade has the same mix).
 */
function numberedNodes(count: number): NodeSpec[] {
  return Array.from({ length: count }, (_, i) => ({ name: `node-${i + 1}`, containerd: i % 2 === 0 ? "1.6" : "2" }));
}

export async function startCluster(options: { nodes?: number | NodeSpec[]; dir?: string } = {}): Promise<TestCluster> {
  const dir = options.dir ?? mkdtempSync("/tmp/ets-");
  if (options.dir !== undefined) await clearStale(dir);
  mkdirSync(dir, { recursive: true });
  const plane = await startControlPlane(join(dir, "cp"));
  const state: ClusterState = {
    dir,
    server: plane.server,
    kubeconfigPath: plane.kubeconfigPath,
    controlPlanePids: plane.daemons.map((d) => d.pid),
    nodes: [],
    virtualNodes: [],
  };
  writeState(state);
  const cluster = new TestCluster(state);
  const specs = typeof options.nodes === "number" ? numberedNodes(options.nodes) : (options.nodes ?? []);
  try {
    // One at a time: two kubelets starting together on two cores slow each other down a lot.
    for (const spec of specs) await cluster.addRealNode(spec);
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}

export function connectCluster(dir: string): TestCluster {
  const state = readState(dir);
  if (state === undefined) throw new Error(`no test cluster in ${dir} (no state.json)`);
  return new TestCluster(state);
}

let shared: Promise<TestCluster> | undefined;

/** For integration test files: the tier runner's cluster (ERASER_TS_CLUSTER_DIR), else a private one. */
export function sharedCluster(): Promise<TestCluster> {
  shared ??= (async () => {
    const dir = process.env["ERASER_TS_CLUSTER_DIR"];
    if (dir !== undefined && dir !== "") return connectCluster(dir);
    const cluster = await startCluster({ nodes: 2 });
    process.once("beforeExit", () => void cluster.stop());
    return cluster;
  })();
  return shared;
}


