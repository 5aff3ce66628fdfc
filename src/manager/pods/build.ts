// The worker pod for one node of one job, as a pure function of the job, the node and the config
// (SPEC §1.4): remover only for manual jobs; collector (+ trivy-scanner) + remover sharing an
// emptyDir for automatic ones. Names, labels, mounts and flags follow src/api/worker-contract.ts.
import { basename } from "node:path";
import type { V1Container, V1Pod, V1Volume, V1VolumeMount } from "@kubernetes/client-node";
import type { ComponentResources, EraserConfig, ImageRef } from "../../api/config/types.ts";
import { imageJobServiceAccount, managerConfigKey, managerConfigMapName } from "../../api/group.ts";
import { containerNames, env, flags, labels, paths, podImagesAnnotation, trivyTokenSecret } from "../../api/worker-contract.ts";

export interface PodJob {
  name: string;
  uid: string;
  mode: "manual" | "automatic";
  dryRun: boolean;
  /** Manual jobs: the ConfigMap holding the image list. */
  imageListConfigMap?: string;
}

export interface PodInputs {
  job: PodJob;
  nodeName: string;
  config: EraserConfig;
  /** Names of the exclusion ConfigMaps in the manager's namespace. */
  exclusionConfigMaps: readonly string[];
  namespace: string;
  /** Images the node's pods name (node-pod-images.ts): the collector and remover keep them. */
  podImages: readonly string[];
  /** Scanning once per run: a first-wave pod shares its verdicts; a pod after it reuses them. */
  scanVerdicts?: { role: "share" } | { role: "reuse"; configMap: string };
}

const imageOf = (image: ImageRef): string => `${image.repo}:${image.tag}`;

function resources(r: ComponentResources): NonNullable<V1Container["resources"]> {
  const list = (x: ComponentResources["request"]): Record<string, string> => ({ ...(x.memory === undefined ? {} : { memory: x.memory }), ...(x.cpu === undefined ? {} : { cpu: x.cpu }) });
  return { requests: list(r.request), limits: list(r.limit) };
}

/** Pod names: `eraser-<node>-<suffix>` within the 63-character limit. */
export function podGenerateName(nodeName: string): string {
  return `eraser-${nodeName}`.slice(0, 57).replace(/[-.]+$/, "") + "-";
}

function volumes(inputs: PodInputs): { volumes: V1Volume[]; mounts: V1VolumeMount[] } {
  const socketPath = inputs.config.manager.runtime.address.replace(/^unix:\/\//, "");
  const vols: V1Volume[] = [{ name: "runtime-sock", hostPath: { path: socketPath, type: "Socket" } }];
  const mounts: V1VolumeMount[] = [{ name: "runtime-sock", mountPath: paths.runtimeSocket }];
  inputs.exclusionConfigMaps.forEach((name, i) => {
    vols.push({ name: `excluded-${i}`, configMap: { name, optional: false } });
    mounts.push({ name: `excluded-${i}`, mountPath: `${paths.exclusionDir}/${name}`, readOnly: true });
  });
  return { volumes: vols, mounts };
}

function commonArgs(inputs: PodInputs): string[] {
  const c = inputs.config.components;
  const self = [c.remover.image, c.collector.image, c.scanner.image].map((image) => `--self-image=${imageOf(image)}`);
  const exclusion = inputs.exclusionConfigMaps.length > 0 ? [`${flags.exclusionDir}=${paths.exclusionDir}`] : [];
  return [`${flags.runtimeEndpoint}=${paths.runtimeEndpoint}`, `${flags.logLevel}=${inputs.config.manager.logLevel}`, ...exclusion, ...self];
}

/** Only the containers that decide what goes need them; the scanner scans what the collector chose. */
const podImageArgs = (inputs: PodInputs): string[] => inputs.podImages.map((image) => `${flags.podImage}=${image}`);

const nodeNameEnv = { name: env.nodeName, valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } };
const trivyTokenEnv = { name: env.trivyToken, valueFrom: { secretKeyRef: { ...trivyTokenSecret, optional: true } } };

function container(name: string, image: ImageRef, res: ComponentResources, args: string[], mounts: V1VolumeMount[]): V1Container {
  return { name, image: imageOf(image), imagePullPolicy: "IfNotPresent", args, env: [nodeNameEnv], resources: resources(res), volumeMounts: mounts };
}

function manualContainers(inputs: PodInputs, mounts: V1VolumeMount[]): V1Container[] {
  const args = [containerNames.remover, ...commonArgs(inputs), ...podImageArgs(inputs), `${flags.imageList}=${paths.imageListFile}`, ...(inputs.job.dryRun ? [flags.dryRun] : [])];
  const r = inputs.config.components.remover;
  return [container(containerNames.remover, r.image, r, args, [...mounts, { name: "imagelist", mountPath: paths.imageListDir, readOnly: true }])];
}

function automaticContainers(inputs: PodInputs, mounts: V1VolumeMount[]): V1Container[] {
  const { collector, scanner, remover } = inputs.config.components;
  const shared = { name: "shared-data", mountPath: paths.sharedDir };
  const common = [...commonArgs(inputs), `${flags.sharedDir}=${paths.sharedDir}`];
  const scan = scanner.enabled;
  const list: V1Container[] = [
    container(containerNames.collector, collector.image, collector, [containerNames.collector, ...common, ...podImageArgs(inputs), ...(scan ? [] : [flags.scanDisabled])], [...mounts, shared]),
  ];
  if (scan) {
    const scannerMounts: V1VolumeMount[] = [...mounts, shared, { name: "manager-config", mountPath: paths.configDir, readOnly: true }, { name: "trivy-cache", mountPath: scanner.config.cacheDir }, ...scanner.volumes.map((v) => ({ name: v.name, mountPath: v.mountPath }))];
    const verdicts = inputs.scanVerdicts;
    if (verdicts?.role === "reuse") scannerMounts.push({ name: "scan-verdicts", mountPath: paths.verdictsDir, readOnly: true });
    const verdictArgs = verdicts === undefined ? [] : verdicts.role === "share" ? [flags.shareVerdicts] : [`${flags.verdicts}=${paths.verdictsFile}`];
    const c = container(containerNames.scanner, scanner.image, scanner, [containerNames.scanner, ...common, `${flags.config}=${paths.configFile}`, ...verdictArgs], scannerMounts);
    c.env = [nodeNameEnv, { name: env.containerdNamespace, value: "k8s.io" }, ...(scanner.config.server === "" ? [] : [trivyTokenEnv])];
    list.push(c);
  }
  // The remover also waits for the node's pods' images as they are once the scan has ended (ADR 0023).
  const afterScan = [`${flags.podImagesFile}=${paths.podImagesFile}`];
  const podInfo = { name: "pod-info", mountPath: paths.podInfoDir, readOnly: true };
  const removerArgs = [containerNames.remover, ...common, ...podImageArgs(inputs), ...afterScan, ...(inputs.config.manager.dryRun ? [flags.dryRun] : [])];
  list.push(container(containerNames.remover, remover.image, remover, removerArgs, [...mounts, shared, podInfo]));
  return list;
}

function modeVolumes(inputs: PodInputs): V1Volume[] {
  if (inputs.job.mode === "manual") return [{ name: "imagelist", configMap: { name: inputs.job.imageListConfigMap ?? "" } }];
  const scanner = inputs.config.components.scanner;
  const podImages = { path: basename(paths.podImagesFile), fieldRef: { fieldPath: `metadata.annotations['${podImagesAnnotation}']` } };
  const vols: V1Volume[] = [{ name: "shared-data", emptyDir: {} }, { name: "pod-info", downwardAPI: { items: [podImages] } }];
  if (scanner.enabled) {
    vols.push({ name: "manager-config", configMap: { name: managerConfigMapName, items: [{ key: managerConfigKey, path: managerConfigKey }] } });
    // A host cache: the vulnerability DB is fetched once per node and reused across runs.
    vols.push({ name: "trivy-cache", hostPath: { path: scanner.config.cacheDir, type: "DirectoryOrCreate" } });
    for (const v of scanner.volumes) vols.push({ name: v.name, hostPath: { path: v.hostPath } });
    // Optional: without the file the scanner scans everything itself, as it would anyway.
    if (inputs.scanVerdicts?.role === "reuse") vols.push({ name: "scan-verdicts", configMap: { name: inputs.scanVerdicts.configMap, optional: true } });
  }
  return vols;
}

export function buildWorkerPod(inputs: PodInputs): V1Pod {
  const m = inputs.config.manager;
  const { volumes: vols, mounts } = volumes(inputs);
  const containers = inputs.job.mode === "manual" ? manualContainers(inputs, mounts) : automaticContainers(inputs, mounts);
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      generateName: podGenerateName(inputs.nodeName),
      namespace: inputs.namespace,
      labels: { ...m.additionalPodLabels, [labels.podType]: inputs.job.mode === "manual" ? "manual" : "collector", [labels.job]: inputs.job.name },
      ownerReferences: [{ apiVersion: "eraser.sh/v1", kind: "ImageJob", name: inputs.job.name, uid: inputs.job.uid, controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      nodeName: inputs.nodeName,
      restartPolicy: "Never",
      serviceAccountName: imageJobServiceAccount,
      automountServiceAccountToken: false,
      tolerations: [{ operator: "Exists" }],
      ...(m.priorityClassName === "" ? {} : { priorityClassName: m.priorityClassName }),
      imagePullSecrets: m.pullSecrets.map((name) => ({ name })),
      containers,
      volumes: [...vols, ...modeVolumes(inputs)],
    },
  };
}
