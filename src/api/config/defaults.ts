// Every default of SPEC §1.2. Eraser's remover limit (30Mi) cannot hold a Node.js process; ours
// are measured figures, documented in docs/config.md.
import type { EraserConfig, ScannerConfig } from "./types.ts";

export const defaultRuntimeAddresses = {
  containerd: "unix:///run/containerd/containerd.sock",
  crio: "unix:///run/crio/crio.sock",
  dockershim: "unix:///run/dockershim.sock",
} as const;

/** The selector every node filter carries: label a node with it to keep the cleaner away. */
export const cleanupFilterSelector = "eraser.sh/cleanup.filter";

export const workerImageRepo = "ghcr.io/eraser-ts/eraser-worker";
export const scannerImageRepo = "ghcr.io/eraser-ts/eraser-worker-trivy";
export const imageTag = "v0.1.0";

export const defaultScannerConfigYaml = `cacheDir: /var/lib/trivy
dbRepo: ghcr.io/aquasecurity/trivy-db
deleteFailedImages: true
deleteEOLImages: true
vulnerabilities:
  ignoreUnfixed: false
  types:
    - os
    - library
  securityChecks:
    - vuln
  severities:
    - CRITICAL
    - HIGH
    - MEDIUM
    - LOW
  ignoredStatuses: []
timeout:
  total: 23h
  perImage: 1h
`;

export function defaultScannerConfig(): ScannerConfig {
  return {
    cacheDir: "/var/lib/trivy",
    dbRepo: "ghcr.io/aquasecurity/trivy-db",
    javaDbRepo: "",
    deleteFailedImages: true,
    deleteEOLImages: true,
    vulnerabilities: {
      ignoreUnfixed: false,
      types: ["os", "library"],
      securityChecks: ["vuln"],
      severities: ["CRITICAL", "HIGH", "MEDIUM", "LOW"],
      ignoredStatuses: [],
    },
    timeout: { totalMs: 23 * 3_600_000, perImageMs: 3_600_000 },
    offline: false,
    server: "",
    scanOnce: { enabled: true, firstWaveNodes: 3 },
  };
}

export function defaultEraserConfig(): EraserConfig {
  return {
    manager: {
      runtime: { name: "containerd", address: defaultRuntimeAddresses.containerd },
      otlpEndpoint: "",
      logLevel: "info",
      scheduling: { repeatIntervalMs: 24 * 3_600_000, beginImmediately: true, timeZone: "UTC" },
      dryRun: false,
      profile: { enabled: false, port: 6060 },
      imageJob: { successRatio: 1.0, cleanup: { delayOnSuccessMs: 0, delayOnFailureMs: 24 * 3_600_000 } },
      pullSecrets: [],
      priorityClassName: "",
      additionalPodLabels: {},
      nodeFilter: { type: "exclude", selectors: [cleanupFilterSelector] },
    },
    components: {
      collector: {
        enabled: true,
        image: { repo: workerImageRepo, tag: imageTag },
        request: { memory: "25Mi", cpu: "7m" },
        limit: { memory: "500Mi" },
      },
      scanner: {
        enabled: true,
        image: { repo: scannerImageRepo, tag: imageTag },
        request: { memory: "500Mi", cpu: "1000m" },
        limit: { memory: "2Gi" },
        configYaml: defaultScannerConfigYaml,
        config: defaultScannerConfig(),
        volumes: [],
      },
      remover: {
        image: { repo: workerImageRepo, tag: imageTag },
        request: { memory: "40Mi", cpu: "7m" },
        limit: { memory: "96Mi" },
      },
    },
  };
}
