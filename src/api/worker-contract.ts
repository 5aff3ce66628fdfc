// The contract between the manager (which builds worker pods) and the worker binary (which runs in
// them): container names, mount paths and flags. Both sides import these names, so they cannot drift.

/** Container names, as AKS docs tell users to pass to `kubectl logs -c`. */
export const containerNames = {
  collector: "collector",
  scanner: "trivy-scanner",
  remover: "remover",
} as const;

/** Worker pod labels (SPEC §1.4). */
export const labels = {
  /** `collector` for automatic jobs, `manual` for ImageList jobs. */
  podType: "eraser.sh/type",
  /** The ImageJob a pod belongs to: pods are scoped to their job. */
  job: "eraser.sh/job",
  jobOwner: "eraser.sh/job-owner",
  nodeCleanupFilter: "eraser.sh/cleanup.filter",
  excludeList: "eraser.sh/exclude.list",
} as const;

/** Where things are mounted inside worker containers. */
export const paths = {
  /** hostPath of `manager.runtime.address` is mounted here. */
  runtimeSocket: "/run/cri/cri.sock",
  runtimeEndpoint: "unix:///run/cri/cri.sock",
  /** One subdirectory per exclusion ConfigMap, its keys as files. */
  exclusionDir: "/run/eraser.sh/excluded",
  /** The manual-mode ConfigMap (key `images`: a JSON array of strings) is mounted here. */
  imageListDir: "/run/eraser.sh/imagelist",
  imageListFile: "/run/eraser.sh/imagelist/images",
  /** The shared emptyDir through which collector -> trivy-scanner -> remover hand over. */
  sharedDir: "/run/eraser.sh/shared-data",
  /** The eraser-manager-config ConfigMap, for the scanner's config. */
  configDir: "/config",
  configFile: "/config/controller_manager_config.yaml",
  /** The job's shared scan verdicts (ConfigMap `<job>-verdicts`), for nodes after the first wave. */
  verdictsDir: "/run/eraser.sh/verdicts",
  verdictsFile: "/run/eraser.sh/verdicts/verdicts.json",
  /** The trivy DB / cache directory (hostPath, shared across runs on a node). */
  trivyCacheDir: "/var/lib/trivy",
  terminationLog: "/dev/termination-log",
} as const;

/** The key in the manual-mode ConfigMap that holds the JSON array of images. */
export const imageListConfigMapKey = "images";

/** Worker flags (accepted as `--name=value` and `--name value`). */
export const flags = {
  runtimeEndpoint: "--runtime-endpoint",
  logLevel: "--log-level",
  dryRun: "--dry-run",
  exclusionDir: "--exclusion-dir",
  sharedDir: "--shared-dir",
  imageList: "--imagelist",
  config: "--config",
  scanDisabled: "--scan-disabled",
  terminationLog: "--termination-log",
  concurrency: "--concurrency",
  /** trivy-scanner: reuse the verdicts in this file (scan once per run). */
  verdicts: "--verdicts",
  /** trivy-scanner: report this node's verdicts in the termination message (first wave). */
  shareVerdicts: "--share-verdicts",
  /** collector, remover: an image a pod on the node names, kept like one in use (ADR 0019); repeated. */
  podImage: "--pod-image",
} as const;

/** Environment the manager sets on every worker container. */
export const env = {
  nodeName: "NODE_NAME",
  containerdNamespace: "CONTAINERD_NAMESPACE",
  /** trivy reads it as --token; set from trivyTokenSecret when the scanner uses a trivy server. */
  trivyToken: "TRIVY_TOKEN",
} as const;

/**
 * The Secret that holds a trivy server's token (key `token`), in the operator's namespace. Optional
 * on both sides: without it the server asks no token and the scanners send none (ADR 0017).
 */
export const trivyTokenSecret = { name: "eraser-trivy-token", key: "token" } as const;
