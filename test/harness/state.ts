// What a running test ground is made of, written to <dir>/state.json so another process
// (cluster:down, a test file under the tier runner) can attach to it or clean it up by pid.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { earlierContainerdReleases } from "./paths.ts";

export const NodeStateSchema = z.object({
  name: z.string(),
  dir: z.string(),
  socket: z.string(),
  containerdPid: z.number(),
  release: z.enum(["1.6", "2", ...earlierContainerdReleases]),
  kubeletPid: z.number(),
});

export const ClusterStateSchema = z.object({
  dir: z.string(),
  server: z.string(),
  kubeconfigPath: z.string(),
  controlPlanePids: z.array(z.number()),
  nodes: z.array(NodeStateSchema),
  virtualNodes: z.array(z.string()),
});

export type ClusterState = z.infer<typeof ClusterStateSchema>;
export type NodeState = z.infer<typeof NodeStateSchema>;

export const stateFile = (dir: string): string => join(dir, "state.json");

export function readState(dir: string): ClusterState | undefined {
  if (!existsSync(stateFile(dir))) return undefined;
  return ClusterStateSchema.parse(JSON.parse(readFileSync(stateFile(dir), "utf8")));
}

export function writeState(state: ClusterState): void {
  writeFileSync(stateFile(state.dir), JSON.stringify(state, null, 2));
}
