// The one internal form of the EraserConfig. v1alpha1, v1alpha2 and v1alpha3 documents are each
// parsed and converted to this; the rest of the program never sees a versioned document.
// Durations are milliseconds; resource quantities keep their Kubernetes spelling (for pod specs).

export type RuntimeName = "containerd" | "crio" | "dockershim";

export interface ImageRef {
  repo: string;
  tag: string;
}

export interface Resources {
  /** Quantities as written ("25Mi", "7m"); omitted when not set. */
  memory?: string;
  cpu?: string;
}

export interface ComponentResources {
  request: Resources;
  limit: Resources;
}

export interface ScannerConfig {
  cacheDir: string;
  dbRepo: string;
  /**
   * Beyond Eraser: where trivy fetches its Java DB, which it needs only for images holding Java
   * archives (scanner/java-db.ts). "" (the default): trivy's own repositories.
   */
  javaDbRepo: string;
  deleteFailedImages: boolean;
  deleteEOLImages: boolean;
  vulnerabilities: {
    ignoreUnfixed: boolean;
    types: string[];
    securityChecks: string[];
    severities: string[];
    ignoredStatuses: string[];
  };
  timeout: { totalMs: number; perImageMs: number };
  /** Beyond Eraser: never download the DB; use the one already in cacheDir. */
  offline: boolean;
  /**
   * Beyond Eraser (SPEC §3, a shared DB): a `trivy server` URL. Scans run in client mode: each node
   * analyses its images and the server, which holds the one DB for the cluster, judges them; no
   * node downloads the DB. "" (the default): each node uses its own DB in cacheDir.
   */
  server: string;
  /**
   * Beyond Eraser (SPEC §3): each image is scanned once per run across the cluster. A first wave
   * of `firstWaveNodes` nodes scans; the other nodes start after it and reuse its verdicts.
   */
  scanOnce: { enabled: boolean; firstWaveNodes: number };
}

/** A hostPath volume the scanner gets in addition to its own (SPEC §1.2 `components.scanner.volumes`). */
export interface ExtraVolume {
  name: string;
  hostPath: string;
  mountPath: string;
}

export interface EraserConfig {
  manager: {
    runtime: { name: RuntimeName; address: string };
    otlpEndpoint: string;
    logLevel: string;
    scheduling: {
      repeatIntervalMs: number;
      beginImmediately: boolean;
      /** Beyond Eraser: a node-cron expression that replaces the interval when set. */
      cron?: string;
      /** IANA time zone for `cron` and the maintenance window (default UTC). */
      timeZone: string;
      /** Beyond Eraser: automatic runs start only inside this window. */
      maintenanceWindow?: { start: string; durationMs: number; days: number[] };
    };
    /** Beyond Eraser: automatic runs report what they would remove and remove nothing. */
    dryRun: boolean;
    profile: { enabled: boolean; port: number };
    imageJob: {
      successRatio: number;
      cleanup: { delayOnSuccessMs: number; delayOnFailureMs: number };
    };
    pullSecrets: string[];
    priorityClassName: string;
    additionalPodLabels: Record<string, string>;
    nodeFilter: { type: "exclude" | "include"; selectors: string[] };
  };
  components: {
    collector: { enabled: boolean; image: ImageRef } & ComponentResources;
    scanner: {
      enabled: boolean;
      image: ImageRef;
      /** The scanner config as given (YAML text), for the trivy-scanner container. */
      configYaml: string;
      /** The same, parsed with defaults. */
      config: ScannerConfig;
      volumes: ExtraVolume[];
    } & ComponentResources;
    remover: { image: ImageRef } & ComponentResources;
  };
}
