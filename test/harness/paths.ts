// Where the test ground finds its binaries and fixtures. Versions come from test/ground/versions.env
// (one line to bump); binaries from scripts/build-binaries.sh's cache outside the checkout.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join, resolve } from "node:path";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const sharedDir = resolve(repoRoot, "..", "shared");
export const cacheDir = process.env["ERASER_TS_CACHE"] ?? "/var/cache/eraser-ts";

function versions(): Record<string, string> {
  const text = readFileSync(join(repoRoot, "test", "ground", "versions.env"), "utf8");
  const entries = text
    .split("\n")
    .map((line) => /^([A-Z][A-Z0-9_]*)=(\S+)/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1] ?? "", m[2] ?? ""] as const);
  return Object.fromEntries(entries);
}

const v = versions();
export const kubernetesVersion = v["KUBERNETES_VERSION"] ?? "v1.37.2";
export const trivyVersion = v["TRIVY_VERSION"] ?? "v0.74.0";
export const helmVersion = v["HELM_VERSION"] ?? "v4.3.1";
export const otelPdataVersion = v["OTEL_PDATA_VERSION"] ?? "v1.71.0";
export const containerd2Version = v["CONTAINERD2_VERSION"] ?? "v2.4.2";

/** Earlier containerd releases clusters still run, each on a private instance in the worker's tests. */
export const earlierContainerdReleases = ["1.7", "2.0", "2.1", "2.2", "2.3"] as const;
export type EarlierContainerdRelease = (typeof earlierContainerdReleases)[number];

/** The version versions.env pins for an earlier release (CONTAINERD17_VERSION for "1.7"). */
export function earlierContainerdVersion(release: EarlierContainerdRelease): string {
  const name = `CONTAINERD${release.replace(".", "")}_VERSION`;
  const version = v[name];
  if (version === undefined) throw new Error(`test/ground/versions.env has no ${name} for containerd ${release}`);
  return version;
}

export const bin = {
  kubeApiserver: join(cacheDir, `kubernetes-${kubernetesVersion}`, "kube-apiserver"),
  kubeControllerManager: join(cacheDir, `kubernetes-${kubernetesVersion}`, "kube-controller-manager"),
  kubeScheduler: join(cacheDir, `kubernetes-${kubernetesVersion}`, "kube-scheduler"),
  kubelet: join(cacheDir, `kubernetes-${kubernetesVersion}`, "kubelet"),
  kubectl: join(cacheDir, `kubernetes-${kubernetesVersion}`, "kubectl"),
  trivy: join(cacheDir, `trivy-${trivyVersion}`, "trivy"),
  trivyDbLoader: join(cacheDir, "trivydb-loader", "trivydb-loader"),
  helm: join(cacheDir, `helm-${helmVersion}`, "helm"),
  pause: join(cacheDir, "pause", "pause"),
  otlpSink: join(cacheDir, `otlp-sink-${otelPdataVersion}`, "otlp-sink"),
  etcd: "/usr/bin/etcd",
  containerd: "/usr/bin/containerd",
  ctr: "/usr/bin/ctr",
  /** containerd 2's daemon, runc shim and ctr, side by side (the daemon finds its shim there). */
  containerd2Dir: join(cacheDir, `containerd-${containerd2Version}`),
  /** An earlier release's daemon, runc shim and ctr, side by side. */
  containerdDir: (release: EarlierContainerdRelease): string => join(cacheDir, `containerd-${earlierContainerdVersion(release)}`),
  busybox: "/bin/busybox",
  cniDir: "/usr/lib/cni",
} as const;
