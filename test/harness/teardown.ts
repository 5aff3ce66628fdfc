// Stops everything a test ground started, by pid, from its state file: kubelets first (so they do
// not recreate what containerd is tearing down), then the runtimes, then the control plane. Also
// used by cluster:up to clear what a crashed run left behind.
import { rmSync } from "node:fs";
import { stopContainerd } from "./containerd.ts";
import { removeHosts } from "./hosts.ts";
import { unmountBelow } from "./mounts.ts";
import { stopPid } from "./process.ts";
import { readState, type ClusterState } from "./state.ts";

export async function teardownState(state: ClusterState): Promise<void> {
  await Promise.all(state.nodes.map((node) => stopPid(node.kubeletPid)));
  await Promise.all(state.nodes.map((node) => stopContainerd({ socket: node.socket, pid: node.containerdPid, baseDir: node.dir })));
  for (const pid of [...state.controlPlanePids].reverse()) await stopPid(pid);
  removeHosts(state.nodes.map((node) => node.name));
  unmountBelow(state.dir);
  rmSync(state.dir, { recursive: true, force: true });
}

/** Clears a previous run's leftovers in `dir` (stale pids, mounts, /etc/hosts lines, files). */
export async function clearStale(dir: string): Promise<void> {
  let state: ClusterState | undefined;
  try {
    state = readState(dir);
  } catch {
    state = undefined;
  }
  if (state !== undefined) await teardownState(state);
  unmountBelow(dir);
  rmSync(dir, { recursive: true, force: true });
}
