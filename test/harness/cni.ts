// The pod network: Debian's ptp + host-local plugins on link-local addresses that route nowhere.
// containerd 1.6 refuses a sandbox whose CNI result has no eth0 address, and a kubelet node stays
// NotReady until the runtime reports its network ready, so a real (if useless) network is needed.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const podSubnet = "169.254.123.0/24";

/** Writes the CNI config into `confDir`; `ipamDir` must be shared by all nodes of one cluster. */
export function writeCniConfig(confDir: string, ipamDir: string): void {
  mkdirSync(confDir, { recursive: true });
  mkdirSync(ipamDir, { recursive: true });
  const conf = {
    cniVersion: "1.0.0",
    name: "pods",
    plugins: [{ type: "ptp", ipMasq: false, ipam: { type: "host-local", ranges: [[{ subnet: podSubnet }]], dataDir: ipamDir } }],
  };
  writeFileSync(join(confDir, "10-pods.conflist"), JSON.stringify(conf));
}
