// A private containerd per node: own root, state, socket, config and CNI, never the system one.
// Its CRI sandbox image is a pause image built here (no registry), imported at start.
import { execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { GrpcCriClient } from "../../src/cri/grpc-client.ts";
import { writeCniConfig } from "./cni.ts";
import { unmountBelow } from "./mounts.ts";
import { buildImageLayout } from "./oci/image.ts";
import { pauseImage } from "./oci/specs.ts";
import { bin, earlierContainerdReleases, type EarlierContainerdRelease } from "./paths.ts";
import { startDaemon, stopPid, waitFor } from "./process.ts";

const run = promisify(execFile);

/**
 * Which containerd a node runs: Debian's 1.6 (the apt package), "2" (the current release, built
 * from the Go module proxy, whose CRI reports images differently), or an earlier release built
 * the same way (1.7, 2.0 ... 2.3), which the worker's tests run on private instances.
 */
export type ContainerdRelease = "1.6" | "2" | EarlierContainerdRelease;
export const containerdReleases: readonly ContainerdRelease[] = ["1.6", ...earlierContainerdReleases, "2"];

interface ReleaseBinaries {
  daemon: string;
  ctr: string;
  /** PATH for the daemon, so that it starts its own release's runc shim. */
  path: string;
}

function binariesOf(release: ContainerdRelease): ReleaseBinaries {
  const path = process.env["PATH"] ?? "/usr/bin:/bin";
  if (release === "1.6") return { daemon: bin.containerd, ctr: bin.ctr, path };
  const dir = release === "2" ? bin.containerd2Dir : bin.containerdDir(release);
  return { daemon: join(dir, "containerd"), ctr: join(dir, "ctr"), path: `${dir}:${path}` };
}

/** Each instance's directory records its release, so any process that has its socket uses the right ctr. */
const releaseFile = (dir: string): string => join(dir, "release");

function releaseAt(socket: string): ContainerdRelease {
  const file = releaseFile(dirname(socket));
  const recorded = existsSync(file) ? readFileSync(file, "utf8").trim() : "1.6";
  const release = containerdReleases.find((r) => r === recorded);
  if (release === undefined) throw new Error(`${file} names containerd ${recorded}, which the test ground does not run`);
  return release;
}

export interface ContainerdOptions {
  name: string;
  /** Default "1.6". */
  release?: ContainerdRelease;
  /** A private directory (keep it short: the socket path must fit in 108 bytes). */
  baseDir: string;
  /** host-local IPAM state shared by all nodes of one cluster (default: inside baseDir). */
  ipamDir?: string;
  /**
   * Runs containerd in a mount namespace of its own in which `nodeSocketDir` is `baseDir`, so its
   * socket is at one path on every node, as on a cluster (see nodeRuntimeEndpoint).
   */
  ownMountNamespace?: boolean;
}

/**
 * Where a real node's runtime socket is, seen from the node: its containerd, its kubelet (which
 * joins containerd's mount namespace) and its pods' hostPath mounts. Every real node of the test
 * ground has its socket there, so one manager config serves them all, as on a cluster. The test
 * process itself, in the host's namespace, uses ContainerdInstance.socket.
 */
export const nodeSocketDir = "/run/eraser-ts-node";
export const nodeRuntimeEndpoint = `unix://${nodeSocketDir}/containerd.sock`;

/** The command that starts containerd, in a mount namespace of its own when asked. */
function containerdCommand(daemon: string, dir: string, ownMountNamespace: boolean): [string, string[]] {
  const direct: [string, string[]] = [daemon, ["--config", join(dir, "config.toml")]];
  if (!ownMountNamespace) return direct;
  mkdirSync(nodeSocketDir, { recursive: true });
  // unshare and sh exec in turn, so the daemon's pid is containerd's. Private propagation keeps
  // the bind mount (and the kubelet's volume mounts) out of the host's namespace.
  const bindThenRun = 'mount --bind "$1" "$2" && shift 2 && exec "$@"';
  return ["unshare", ["--mount", "--propagation", "private", "/bin/sh", "-c", bindThenRun, "sh", dir, nodeSocketDir, direct[0], ...direct[1]]];
}

export interface ContainerdInstance {
  readonly name: string;
  readonly baseDir: string;
  readonly socket: string;
  readonly endpoint: string;
  readonly pid: number;
  readonly release: ContainerdRelease;
  readonly sandboxImage: string;
  stop(): Promise<void>;
}

export const sandboxImageRef = "registry.k8s.io/pause:eraser-ts";

function configToml(dir: string, socket: string, sandboxImage: string): string {
  return `version = 2
root = "${join(dir, "root")}"
state = "${join(dir, "state")}"
disabled_plugins = ["io.containerd.internal.v1.opt", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs"]

[grpc]
  address = "${socket}"

[ttrpc]
  address = "${socket}.ttrpc"

[debug]
  level = "warn"

[metrics]
  address = ""

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${sandboxImage}"
  restrict_oom_score_adj = true
  # Pod network namespaces are mounted under the state directory, not in the host's /run/netns:
  # a node's mount namespace dies with its containerd, but the files it made in /run/netns stayed.
  netns_mounts_under_state_dir = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "native"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "${bin.cniDir}"
    conf_dir = "${join(dir, "cni")}"
`;
}

/** `ctr` against one instance, in the CRI's namespace. */
export async function ctr(socket: string, args: string[]): Promise<string> {
  const { stdout } = await run(binariesOf(releaseAt(socket)).ctr, ["-a", socket, "-n", "k8s.io", ...args], { maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

export async function importImages(target: ContainerdInstance | string, tarPath: string): Promise<void> {
  const socket = typeof target === "string" ? target : target.socket;
  // containerd 2's ctr prints its progress over and over (67 MB for 1,000 images): not kept.
  const child = spawn(binariesOf(releaseAt(socket)).ctr, ["-a", socket, "-n", "k8s.io", "images", "import", "--no-unpack=false", tarPath], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4096);
  });
  const [code] = (await once(child, "exit")) as [number | null];
  if (code !== 0) throw new Error(`ctr images import ${tarPath} exited ${code ?? "by a signal"}: ${stderr}`);
}

/** Gives an image another name (an alias tag, or a `repo@sha256:<manifest>` digest reference). */
export async function tagImage(target: ContainerdInstance | string, existingRef: string, newRef: string): Promise<void> {
  const socket = typeof target === "string" ? target : target.socket;
  await ctr(socket, ["images", "tag", "--force", existingRef, newRef]);
}

export async function startContainerd(options: ContainerdOptions): Promise<ContainerdInstance> {
  const dir = options.baseDir;
  mkdirSync(dir, { recursive: true });
  const socket = join(dir, "containerd.sock");
  if (Buffer.byteLength(socket) > 100) throw new Error(`containerd socket path too long for a unix socket: ${socket}`);
  writeCniConfig(join(dir, "cni"), options.ipamDir ?? join(dir, "ipam"));
  const release = options.release ?? "1.6";
  writeFileSync(releaseFile(dir), release);
  const pid = await launch(options.name, dir, release, sandboxImageRef, options.ownMountNamespace === true);
  const pauseTar = join(dir, "pause.tar");
  buildImageLayout([pauseImage(sandboxImageRef)], pauseTar);
  await importImages(socket, pauseTar);
  rmSync(pauseTar);
  const instance: ContainerdInstance = {
    name: options.name,
    baseDir: dir,
    socket,
    endpoint: `unix://${socket}`,
    pid,
    release,
    sandboxImage: sandboxImageRef,
    stop: () => stopContainerd(instance),
  };
  return instance;
}

/** Writes the config and starts the daemon; resolves to its pid once it answers. */
async function launch(name: string, dir: string, release: ContainerdRelease, sandboxImage: string, ownMountNamespace: boolean): Promise<number> {
  const socket = join(dir, "containerd.sock");
  writeFileSync(join(dir, "config.toml"), configToml(dir, socket, sandboxImage));
  const binaries = binariesOf(release);
  const [command, args] = containerdCommand(binaries.daemon, dir, ownMountNamespace);
  const daemon = startDaemon(`containerd-${name}`, command, args, {
    logFile: join(dir, "containerd.log"),
    env: { ...process.env, PATH: binaries.path },
  });
  await waitFor(`containerd ${name}`, async () => (await ctr(socket, ["version"])).includes("Server"), { timeoutMs: 30_000, daemon });
  // containerd answers before its CRI plugin has started: after a restart, the CRI says "server
  // is not initialized yet" while it recovers its pods.
  const cri = new GrpcCriClient(`unix://${socket}`, { timeoutMs: 5_000 });
  try {
    await waitFor(`containerd ${name}'s CRI`, async () => Array.isArray(await cri.listImages()), { timeoutMs: 30_000, daemon });
  } finally {
    cri.close();
  }
  return daemon.pid;
}

/**
 * Restarts a private instance (not a node's) with another sandbox image, as a node's runtime
 * upgrade does: its shims, and the pods they run, carry on across the restart.
 */
export async function restartContainerd(instance: ContainerdInstance, sandboxImage: string): Promise<ContainerdInstance> {
  await stopPid(instance.pid);
  const pid = await launch(instance.name, instance.baseDir, instance.release, sandboxImage, false);
  const restarted: ContainerdInstance = { ...instance, pid, sandboxImage, stop: () => stopContainerd(restarted) };
  return restarted;
}

/** Kills every task the instance runs, stops it, its shims, and removes its directory. */
export async function stopContainerd(instance: Pick<ContainerdInstance, "socket" | "pid" | "baseDir">): Promise<void> {
  try {
    const tasks = (await ctr(instance.socket, ["tasks", "ls", "-q"])).split("\n").filter((t) => t !== "");
    // A forced delete kills the task and has its shim remove runc's state for it, which lives in
    // /run/containerd/runc, outside the instance's directory.
    await Promise.all(tasks.map((task) => ctr(instance.socket, ["tasks", "delete", "--force", task]).catch(() => "")));
  } catch {
    // containerd already gone: its shims are found below.
  }
  await stopPid(instance.pid);
  await killShims(instance.socket);
  unmountBelow(instance.baseDir);
  rmSync(instance.baseDir, { recursive: true, force: true });
}

/** Shims outlive containerd by design; find ours by the socket on their command line. */
async function killShims(socket: string): Promise<void> {
  let pids: number[];
  try {
    // "--": a pattern that starts with "-" would otherwise be read as pgrep's own options.
    const { stdout } = await run("pgrep", ["-f", "--", `-address ${socket}`]);
    pids = stdout.split("\n").filter((p) => p !== "").map(Number);
  } catch {
    return;
  }
  await Promise.all(pids.map((pid) => stopPid(pid, 3000)));
}
