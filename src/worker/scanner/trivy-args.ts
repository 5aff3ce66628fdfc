// The trivy command line a scanner config implies (pure; tested without trivy).
import type { ScannerConfig } from "../../api/config/types.ts";

export interface TrivyInvocation {
  args: string[];
  env: Record<string, string>;
}

export function trivyInvocation(imageRef: string, config: ScannerConfig, runtimeEndpoint: string): TrivyInvocation {
  const v = config.vulnerabilities;
  const args = [
    "image",
    "--image-src", "containerd",
    "--cache-dir", config.cacheDir,
    "--format", "json",
    "--quiet",
    "--skip-version-check",
    "--disable-telemetry",
    "--scanners", v.securityChecks.join(","),
    "--pkg-types", v.types.join(","),
    "--severity", v.severities.join(","),
    "--timeout", `${Math.max(1, Math.round(config.timeout.perImageMs / 1000))}s`,
  ];
  if (v.ignoreUnfixed) args.push("--ignore-unfixed");
  if (v.ignoredStatuses.length > 0) args.push("--ignore-status", v.ignoredStatuses.join(","));
  // Offline: the DB must already be in cacheDir (a shared host cache); never reach out.
  if (config.offline) args.push("--skip-db-update", "--skip-java-db-update", "--offline-scan");
  else args.push("--db-repository", config.dbRepo);
  args.push(imageRef);
  const socket = runtimeEndpoint.replace(/^unix:\/\//, "");
  return { args, env: { CONTAINERD_ADDRESS: socket, CONTAINERD_NAMESPACE: "k8s.io", TRIVY_NO_PROGRESS: "true" } };
}
