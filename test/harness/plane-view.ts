// Rebuilds what a kubelet needs to join (server, CA, a way to issue its certs) from a cluster's
// state directory, so nodes can be added by a process other than the one that started the plane.
import { readState, type ClusterState } from "./state.ts";
import type { ControlPlane } from "./control-plane.ts";
import { existingPki } from "./pki.ts";
import { join } from "node:path";

export function planeFromDir(state: ClusterState): ControlPlane {
  const pki = existingPki(join(state.dir, "cp", "pki"));
  const port = Number(new URL(state.server).port);
  return { dir: join(state.dir, "cp"), server: state.server, port, pki, admin: { cert: join(pki.dir, "admin.crt"), key: join(pki.dir, "admin.key") }, kubeconfigPath: state.kubeconfigPath, daemons: [] };
}

export { readState };
