// What the control plane says of a node: its Ready status and whether the node lifecycle
// controller has tainted it unreachable (after a kubelet stops reporting, ~50 s here).
import type { CoreV1Api } from "@kubernetes/client-node";

export async function nodeState(core: CoreV1Api, name: string): Promise<{ ready: string; unreachable: boolean }> {
  const node = await core.readNode({ name });
  return {
    ready: node.status?.conditions?.find((c) => c.type === "Ready")?.status ?? "none",
    unreachable: (node.spec?.taints ?? []).some((t) => t.key === "node.kubernetes.io/unreachable"),
  };
}
