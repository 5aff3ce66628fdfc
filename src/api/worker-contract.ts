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
  /** automatic mode, remover: the pod's own annotations, through a downwardAPI volume (ADR 0023). */
  podInfoDir: "/run/eraser.sh/pod-info",
  podImagesFile: "/run/eraser.sh/pod-info/pod-images",
} as const;

/**
 * The annotation the manager sets on an automatic-mode worker pod once the containers before its
 * remover have ended: a JSON array of the images the node's pods name then (ADR 0023). The kubelet
 * writes it into the remover's `paths.podImagesFile`, which reads "" until it is set.
 */
export const podImagesAnnotation = "eraser.sh/pod-images-after-scan";

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
  /** remover: wait for this file to hold the images the node's pods name after the scan (ADR 0023). */
  podImagesFile: "--pod-images-file",
  /** remover: seconds to wait for it before removing nothing. */
  podImagesTimeout: "--pod-images-timeout",
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
