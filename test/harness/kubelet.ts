// A real kubelet v1.37 per node, on that node's private containerd, registered under the node's
// name. The machine has cgroup v1, so the configuration turns off what needs v2 or real QoS
// cgroups, and the kubelet's own image GC (it would remove images under test).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ControlPlane } from "./control-plane.ts";
import { addHost } from "./hosts.ts";
import { writeKubeconfig } from "./kubeconfig.ts";
import { bin } from "./paths.ts";
import { freePort, startDaemon, type Daemon } from "./process.ts";

export interface KubeletOptions {
  name: string;
  dir: string;
  runtimeEndpoint: string;
  labels: Record<string, string>;
  /** Joins this process's mount namespace (its containerd's), so both see the node's paths alike. */
  mountNamespaceOf?: number;
}

function kubeletConfig(o: { caFile: string; port: number; healthzPort: number; cert: string; key: string; endpoint: string; dir: string }): object {
  return {
    apiVersion: "kubelet.config.k8s.io/v1beta1",
    kind: "KubeletConfiguration",
    failCgroupV1: false,
    cgroupDriver: "cgroupfs",
    cgroupsPerQOS: false,
    enforceNodeAllocatable: [],
    failSwapOn: false,
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    evictionHard: {},
    address: "127.0.0.1",
    port: o.port,
    healthzBindAddress: "127.0.0.1",
    healthzPort: o.healthzPort,
    readOnlyPort: 0,
    podLogsDir: join(o.dir, "pod-logs"),
    containerRuntimeEndpoint: o.endpoint,
    tlsCertFile: o.cert,
    tlsPrivateKeyFile: o.key,
    authentication: { x509: { clientCAFile: o.caFile }, webhook: { enabled: false }, anonymous: { enabled: false } },
    authorization: { mode: "AlwaysAllow" },
    resolvConf: "",
    registerNode: true,
    serializeImagePulls: false,
    nodeStatusUpdateFrequency: "4s",
    syncFrequency: "5s",
    fileCheckFrequency: "5s",
    localStorageCapacityIsolation: false,
  };
}

export async function startKubelet(plane: ControlPlane, options: KubeletOptions): Promise<Daemon> {
  const { name, dir } = options;
  mkdirSync(join(dir, "root"), { recursive: true });
  mkdirSync(join(dir, "pod-logs"), { recursive: true });
  const client = plane.pki.issue(`kubelet-${name}-client`, `/O=system:nodes/CN=system:node:${name}`);
  const serving = plane.pki.issue(`kubelet-${name}-serving`, `/CN=${name}`, [`DNS:${name}`, "IP:127.0.0.1"]);
  const kubeconfig = join(dir, "kubelet.kubeconfig");
  writeKubeconfig(kubeconfig, plane.server, plane.pki.ca.cert, client, `system:node:${name}`);
  const [port, healthzPort] = await Promise.all([freePort(), freePort()]);
  const configFile = join(dir, "kubelet-config.json");
  const config = kubeletConfig({ caFile: plane.pki.ca.cert, port, healthzPort, ...serving, endpoint: options.runtimeEndpoint, dir });
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  addHost(name);
  const labels = Object.entries(options.labels).map(([k, v]) => `${k}=${v}`).join(",");
  const args = [
    `--config=${configFile}`,
    `--kubeconfig=${kubeconfig}`,
    `--root-dir=${join(dir, "root")}`,
    `--hostname-override=${name}`,
    ...(labels === "" ? [] : [`--node-labels=${labels}`]),
    "--v=1",
  ];
  // nsenter execs the kubelet, so the daemon's pid is the kubelet's.
  const [command, commandArgs] = options.mountNamespaceOf === undefined ? [bin.kubelet, args] : ["nsenter", [`--mount=/proc/${options.mountNamespaceOf}/ns/mnt`, "--", bin.kubelet, ...args]];
  return startDaemon(`kubelet-${name}`, command, commandArgs, { logFile: join(dir, "kubelet.log") });
}
