// The trivy command line a scanner config implies (pure; tested without trivy).
import type { ScannerConfig } from "../../api/config/types.ts";

export interface TrivyInvocation {
  args: string[];
  env: Record<string, string>;
}

const quietFlags = ["--quiet", "--skip-version-check", "--disable-telemetry"];
const trivyTimeout = (config: ScannerConfig): string => `${Math.max(1, Math.round(config.timeout.perImageMs / 1000))}s`;

/**
 * One image's scan. The DB is made ready once, before the first scan (trivyDbDownload, db-ready.ts),
 * so no scan fetches it: a DB that cannot be had fails the scanner, not each image.
 */
export function trivyInvocation(imageRef: string, config: ScannerConfig, runtimeEndpoint: string, o: { skipJavaDbUpdate?: boolean } = {}): TrivyInvocation {
  const v = config.vulnerabilities;
  const args = [
    "image",
    "--image-src", "containerd",
    "--cache-dir", config.cacheDir,
    "--format", "json",
    ...quietFlags,
    "--scanners", v.securityChecks.join(","),
    "--pkg-types", v.types.join(","),
    "--severity", v.severities.join(","),
    "--timeout", trivyTimeout(config),
    "--skip-db-update",
  ];
  if (v.ignoreUnfixed) args.push("--ignore-unfixed");
  if (v.ignoredStatuses.length > 0) args.push("--ignore-status", v.ignoredStatuses.join(","));
  // Offline: never reach out, for the Java DB or anything else either. Online, the Java DB is
  // skipped once it could not be fetched in this run (java-db.ts).
  if (config.offline || o.skipJavaDbUpdate === true) args.push("--skip-java-db-update");
  if (config.offline) args.push("--offline-scan");
  else if (config.javaDbRepo !== "") args.push("--java-db-repository", config.javaDbRepo);
  // Client mode: the server holds the DB and judges what this node's trivy finds in the image.
  if (config.server !== "") args.push("--server", config.server);
  args.push(imageRef);
  const socket = runtimeEndpoint.replace(/^unix:\/\//, "");
  return { args, env: { CONTAINERD_ADDRESS: socket, CONTAINERD_NAMESPACE: "k8s.io", TRIVY_NO_PROGRESS: "true" } };
}

/** Fetches the vulnerability DB from dbRepo into cacheDir, or does nothing when the one there is current. */
export function trivyDbDownload(config: ScannerConfig): TrivyInvocation {
  const args = ["image", "--download-db-only", "--cache-dir", config.cacheDir, "--db-repository", config.dbRepo, ...quietFlags, "--timeout", trivyTimeout(config)];
  return { args, env: { TRIVY_NO_PROGRESS: "true" } };
}
