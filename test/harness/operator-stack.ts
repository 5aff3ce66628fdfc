// The whole operator on the test ground, as a user runs it: the manager process, and real worker
// pods (the worker image built here) on a real node's kubelet and containerd. Used by the e2e tier
// and by `npm run demo`. Every real node has its runtime socket at one path (nodeRuntimeEndpoint),
// so one config reaches them all; a run still targets the first real node, where it loads its
// images, and labels the others out, as a user would with the cleanup filter.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { CoreV1Api, type CustomObjectsApi } from "@kubernetes/client-node";
import type { TestCluster, RealNode } from "./cluster.ts";
import { importImages, nodeRuntimeEndpoint } from "./containerd.ts";
import { buildImageLayout, type ImageSpec } from "./oci/image.ts";
import { guardImageStores, type ImageStoreGuard } from "./image-store-guard.ts";
import { workerImage } from "./oci/operator-images.ts";
import { prepareOperator, startManagerProcess, type ManagerProcess } from "./manager-run.ts";
import { customApi, setManagerConfig } from "./operator-fixtures.ts";

export const localWorkerImage = { repo: "localhost/eraser-ts/eraser-worker", tag: "local" } as const;
export const localScannerImage = { repo: "localhost/eraser-ts/eraser-worker-trivy", tag: "local" } as const;
const imageRef = (image: { repo: string; tag: string }): string => `${image.repo}:${image.tag}`;

export interface OperatorStack {
  /** The first real node: the one a default stack targets. */
  node: RealNode;
  /** The real nodes the stack targets, with its images loaded. */
  nodes: RealNode[];
  core: CoreV1Api;
  custom: CustomObjectsApi;
  manager: ManagerProcess;
  stop(): Promise<void>;
}

/**
 * The manager's config for the test ground's real nodes: the runtime socket where each node has its
 * own (nodeRuntimeEndpoint) and the local worker images. Without
 * `scan`, manual mode only; with it, automatic mode starts at once (collector, trivy-scanner with
 * `scan.scannerConfig`, remover) and then every 30 days.
 */
export function realNodeConfig(scan?: { scannerConfig: string }): string {
  const scanner =
    scan === undefined
      ? "  collector: { enabled: false }\n  scanner: { enabled: false }\n"
      : `  collector: { enabled: true, image: { repo: ${localWorkerImage.repo}, tag: ${localWorkerImage.tag} } }
  scanner:
    enabled: true
    image: { repo: ${localScannerImage.repo}, tag: ${localScannerImage.tag} }
    config: |
${scan.scannerConfig.replace(/^/gm, "      ")}
`;
  return `apiVersion: eraser.sh/v1alpha3
kind: EraserConfig
manager:
  runtime:
    name: containerd
    address: ${nodeRuntimeEndpoint}
  scheduling: { repeatInterval: 720h, beginImmediately: ${scan === undefined ? "false" : "true"} }
  imageJob:
    successRatio: 1.0
    cleanup: { delayOnSuccess: 10m, delayOnFailure: 10m }
  nodeFilter:
    type: exclude
    selectors: [eraser.sh/cleanup.filter]
components:
${scanner}  remover:
    image: { repo: ${localWorkerImage.repo}, tag: ${localWorkerImage.tag} }
`;
}

/**
 * Builds the worker images plus `extra` images into one layout and imports it into the node;
 * `withScanner: "held"` gives the scanner image a trivy a test can hold (held-trivy.ts).
 */
export async function loadImages(node: RealNode, workDir: string, extra: readonly ImageSpec[], withScanner: boolean | "held"): Promise<void> {
  const tar = join(workDir, "stack-images.tar");
  const workers = [workerImage(imageRef(localWorkerImage)), ...(withScanner === false ? [] : [workerImage(imageRef(localScannerImage), { withTrivy: withScanner })])];
  buildImageLayout([...workers, ...extra], tar);
  await importImages(node.containerd, tar);
  rmSync(tar);
}

/** Leaves each real node's image store as the file found it; says what a pod still holds. */
export async function restoreImageStores(stores: ImageStoreGuard): Promise<void> {
  const { inUse } = await stores.restore();
  if (inUse.length > 0) console.log(`# images this file added that a container still uses, left on the node: ${inUse.join(", ")}`);
}

/**
 * Installs the operator against `cluster` and starts the manager. By default it targets the first
 * real node and labels the others out; with `everyRealNode`, it loads the images on every real node
 * and targets them all. With `scan`, automatic mode with the scanner (see realNodeConfig).
 * `managerArgs` go to the manager's command line; `scan.held` lets the test hold trivy (held-trivy.ts).
 */
export async function startOperatorStack(
  cluster: TestCluster,
  workDir: string,
  images: readonly ImageSpec[],
  options: { scan?: { scannerConfig: string; held?: boolean }; everyRealNode?: boolean; managerArgs?: string[]; beforeManager?: (core: CoreV1Api) => Promise<void> } = {},
): Promise<OperatorStack> {
  const [node, ...others] = cluster.realNodes();
  if (node === undefined) throw new Error("the operator stack needs a real node");
  const targets = options.everyRealNode === true ? [node, ...others] : [node];
  const filteredOut = options.everyRealNode === true ? [] : others;
  const core = cluster.kubeConfig().makeApiClient(CoreV1Api);
  const custom = customApi(cluster);
  await prepareOperator(cluster, core);
  for (const other of filteredOut) await cluster.kubectl(["label", "node", other.name, "eraser.sh/cleanup.filter=true", "--overwrite"]);
  const scanner = options.scan === undefined ? false : options.scan.held === true ? "held" : true;
  const stores = await guardImageStores(cluster.realNodes());
  for (const target of targets) await loadImages(target, workDir, images, scanner);
  await setManagerConfig(core, realNodeConfig(options.scan));
  // What must be on the cluster before a job the manager starts at once (beginImmediately) sees it.
  await options.beforeManager?.(core);
  const manager = await startManagerProcess(cluster, options.managerArgs);
  await manager.waitForLog(/Started leading/);
  return {
    node,
    nodes: targets,
    core,
    custom,
    manager,
    async stop() {
      await manager.stop();
      for (const other of filteredOut) await cluster.kubectl(["label", "node", other.name, "eraser.sh/cleanup.filter-"]);
      await restoreImageStores(stores);
    },
  };
}
