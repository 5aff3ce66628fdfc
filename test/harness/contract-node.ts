// A node the worker's contract runs on: one of the test ground's real kubelet nodes (containerd
// 1.6 and the current 2.x), or a private containerd of an earlier release whose containers are
// made straight through the CRI, as a kubelet makes them. Either way the worker sees a runtime
// with pod sandboxes, running and exited containers.
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { CoreV1Api } from "@kubernetes/client-node";
import { GrpcCriClient } from "../../src/cri/grpc-client.ts";
import type { ContainerState } from "../../src/cri/types.ts";
import { sharedCluster } from "./cluster.ts";
import { startContainerd, type ContainerdInstance, type ContainerdRelease } from "./containerd.ts";
import { runContainer, runPodSandbox } from "./cri-sandbox.ts";
import { runPod, waitForPod } from "./pods.ts";
import { waitFor } from "./process.ts";

export type ContainerEnd = "running" | "exited";

export interface ContractNode {
  readonly containerd: ContainerdInstance;
  /** Runs `image` in a new container and waits until it runs or, with "exited", has exited. */
  run(name: string, image: string, command: string[], until: ContainerEnd): Promise<void>;
  close(): Promise<void>;
}

/** A real node of the shared test ground; its containers are pods in `namespace`, deleted on close. */
export async function kubeletContractNode(nodeIndex: number, release: ContainerdRelease, namespace: string): Promise<ContractNode> {
  const cluster = await sharedCluster();
  const node = cluster.realNodes()[nodeIndex];
  if (node === undefined) throw new Error(`the test ground has no real node ${nodeIndex + 1}`);
  if (node.containerd.release !== release) throw new Error(`node-${nodeIndex + 1} runs containerd ${node.containerd.release}, not ${release}`);
  const core = cluster.kubeConfig().makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  return {
    containerd: node.containerd,
    async run(name, image, command, until) {
      await runPod(core, { namespace, name, node: node.name, image, command });
      await waitForPod(core, namespace, name, (phase, running) => (until === "running" ? running : phase === "Succeeded"));
    },
    async close() {
      await core.deleteNamespace({ name: namespace, gracePeriodSeconds: 0 }).catch(() => undefined);
    },
  };
}

/** A private containerd (any release; the tests use it for the earlier ones), with one host-network pod sandbox for its containers; stopped and removed on close. */
export async function privateContractNode(release: ContainerdRelease): Promise<ContractNode> {
  const dir = mkdtempSync("/tmp/ets-ctd-");
  const containerd = await startContainerd({ name: `contract-${release}`, baseDir: join(dir, "ctd"), release });
  const sandboxName = "contract";
  const sandboxId = await runPodSandbox(containerd.endpoint, sandboxName).catch(async (error: unknown) => {
    await containerd.stop();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });
  const cri = new GrpcCriClient(containerd.endpoint);
  const stateOf = async (id: string): Promise<ContainerState | undefined> => (await cri.listContainers()).find((c) => c.id === id)?.state;
  return {
    containerd,
    async run(name, image, command, until) {
      const id = await runContainer(containerd.endpoint, { sandboxId, sandboxName, name, image, command });
      await waitFor(`container ${name} ${until}`, async () => (await stateOf(id)) === until, { timeoutMs: 30_000 });
    },
    async close() {
      cri.close();
      await containerd.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
