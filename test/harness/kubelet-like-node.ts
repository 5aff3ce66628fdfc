// Virtual nodes shaped like a managed cluster's (AKS-style labels, a kubelet's status with its
// 50-image list, node info and conditions), for memory benchmarks: a bare virtual node is ~1 KB of
// JSON, a real one 10-20 KB, and the manager caches every Node.
import { createHash } from "node:crypto";
import type { V1NodeCondition, V1NodeStatus } from "@kubernetes/client-node";
import type { VirtualNodeSpec } from "./virtual-nodes.ts";

/** The kubelet's default --node-status-max-images. */
const statusImages = 50;

function digest(seed: string): string {
  return createHash("sha256").update(seed).digest("hex");
}

function conditions(now: Date): V1NodeCondition[] {
  const condition = (type: string, status: string, reason: string, message: string): V1NodeCondition => ({ type, status, reason, message, lastHeartbeatTime: now, lastTransitionTime: now });
  return [
    condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
    condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
    condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
    condition("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
    condition("KernelDeadlock", "False", "KernelHasNoDeadlock", "kernel has no deadlock"),
    condition("FilesystemCorruptionProblem", "False", "FilesystemIsOK", "Filesystem is healthy"),
  ];
}

function status(name: string, index: number): V1NodeStatus {
  const images = Array.from({ length: statusImages }, (_, i) => {
    const repo = `contoso.azurecr.io/team-${i % 7}/service-${i}`;
    return { names: [`${repo}@sha256:${digest(`${name}/${i}`)}`, `${repo}:v1.${i}.${index % 10}`], sizeBytes: 20_000_000 + i * 1_234_567 };
  });
  return {
    conditions: conditions(new Date()),
    capacity: { cpu: "4", "ephemeral-storage": "129886128Ki", "hugepages-1Gi": "0", "hugepages-2Mi": "0", memory: "16373788Ki", pods: "110" },
    allocatable: { cpu: "3860m", "ephemeral-storage": "119703055367", "hugepages-1Gi": "0", "hugepages-2Mi": "0", memory: "12880924Ki", pods: "110" },
    addresses: [
      { type: "InternalIP", address: `10.224.${Math.floor(index / 250)}.${(index % 250) + 4}` },
      { type: "Hostname", address: name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    nodeInfo: {
      machineID: digest(`machine/${name}`).slice(0, 32),
      systemUUID: digest(`uuid/${name}`).slice(0, 36),
      bootID: digest(`boot/${name}`).slice(0, 36),
      kernelVersion: "5.15.0-1079-azure",
      osImage: "Ubuntu 22.04.5 LTS",
      containerRuntimeVersion: "containerd://1.7.27-1",
      kubeletVersion: "v1.37.2",
      kubeProxyVersion: "",
      operatingSystem: "linux",
      architecture: "amd64",
    },
    images,
  };
}

/** A virtual node spec with what a kubelet and a managed cluster put on a Node. */
export function kubeletLikeNode(name: string, index: number): VirtualNodeSpec {
  const pool = `nodepool${(index % 3) + 1}`;
  return {
    name,
    labels: {
      agentpool: pool,
      "beta.kubernetes.io/arch": "amd64",
      "beta.kubernetes.io/instance-type": "Standard_D4s_v5",
      "beta.kubernetes.io/os": "linux",
      "failure-domain.beta.kubernetes.io/region": "westeurope",
      "failure-domain.beta.kubernetes.io/zone": `westeurope-${(index % 3) + 1}`,
      "kubernetes.azure.com/agentpool": pool,
      "kubernetes.azure.com/cluster": "MC_rg-prod_aks-prod_westeurope",
      "kubernetes.azure.com/mode": "user",
      "kubernetes.azure.com/node-image-version": "AKSUbuntu-2204gen2containerd-202611.10.0",
      "kubernetes.azure.com/os-sku": "Ubuntu",
      "kubernetes.azure.com/role": "agent",
      "kubernetes.io/arch": "amd64",
      "node.kubernetes.io/instance-type": "Standard_D4s_v5",
      "topology.kubernetes.io/region": "westeurope",
      "topology.kubernetes.io/zone": `westeurope-${(index % 3) + 1}`,
    },
    annotations: {
      "csi.volume.kubernetes.io/nodeid": JSON.stringify({ "disk.csi.azure.com": name, "file.csi.azure.com": name }),
      "node.alpha.kubernetes.io/ttl": "0",
      "volumes.kubernetes.io/controller-managed-attach-detach": "true",
    },
    status: status(name, index),
  };
}
