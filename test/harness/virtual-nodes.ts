// Virtual nodes: Node objects with no kubelet behind them, Ready through the status subresource,
// for fan-out and scale tests. Their pods are completed by kubelet-sim.ts.
import { PatchStrategy, setHeaderOptions, type CoreV1Api, type V1NodeStatus, type V1Taint } from "@kubernetes/client-node";

export interface VirtualNodeSpec {
  name: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  taints?: V1Taint[];
  /** Status fields beyond Ready, e.g. a kubelet's image list (kubelet-like-node.ts). */
  status?: V1NodeStatus;
}

export async function createVirtualNodes(core: CoreV1Api, specs: readonly VirtualNodeSpec[], concurrency = 16): Promise<void> {
  const queue = [...specs];
  const worker = async (): Promise<void> => {
    for (let spec = queue.shift(); spec !== undefined; spec = queue.shift()) await createOne(core, spec);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, specs.length) }, worker));
}

async function createOne(core: CoreV1Api, spec: VirtualNodeSpec): Promise<void> {
  const labels = { "kubernetes.io/hostname": spec.name, "kubernetes.io/os": "linux", "eraser-ts.test/virtual": "true", ...spec.labels };
  await core.createNode({ body: { metadata: { name: spec.name, labels, annotations: spec.annotations ?? {} }, spec: { taints: spec.taints ?? [] } } });
  const now = new Date();
  // A merge patch: the node controllers touch a new Node at once, so a replace would conflict.
  await core.patchNodeStatus(
    {
      name: spec.name,
      body: {
      status: {
        conditions: [{ type: "Ready", status: "True", reason: "VirtualNode", message: "test-ground virtual node", lastHeartbeatTime: now, lastTransitionTime: now }],
        capacity: { cpu: "4", memory: "8Gi", pods: "110" },
        allocatable: { cpu: "4", memory: "8Gi", pods: "110" },
        addresses: [{ type: "Hostname", address: spec.name }],
        ...spec.status,
      },
      },
    },
    setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
  );
}

export async function isNodeReady(core: CoreV1Api, name: string): Promise<boolean> {
  const node = await core.readNode({ name });
  return node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
}
