// Installs the operator as a user does, with `kubectl apply -k deploy/` or `helm install` of
// deploy/helm/eraser-ts, changed only where this test ground needs what a cluster would not
// (ENVIRONMENT.md):
// - the manager image built here (imported into every real node, so `imagePullPolicy: Never`);
// - host networking with the API server's loopback address, since nothing serves the service IP;
//   on the host's network two replicas would contend for one port, so one replica and a free port;
// - the manager config for the runtime socket (one path on every real node) and the local worker
//   images.
// kubectl's way takes these through a kustomize overlay; helm's through values, and a patch of the
// Deployment for what the chart has no value for (host network, API server address). The
// test ground's kube-scheduler places the pod, by deploy/'s nodeSelector, on one of its real nodes.
// Everything else (RBAC, ServiceAccounts, security context, probes) is deploy/'s or the chart's.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { TestCluster } from "./cluster.ts";
import { helm } from "./helm.ts";
import { eventually, operatorNamespace } from "./manager-run.ts";
import { repoRoot } from "./paths.ts";
import { freePort } from "./process.ts";

export const localManagerImage = { repo: "localhost/eraser-ts/eraser-manager", tag: "local" } as const;
export const managerDeployment = "eraser-controller-manager";

export interface DeployInstall {
  /** The manager's HTTP port on the host (/healthz, /readyz, /metrics). */
  httpPort: number;
  /** Removes what the install applied, except the namespace, which other tests share. */
  uninstall(): Promise<void>;
}

const container = "/spec/template/spec/containers/0";

/** What no manifest should carry: host networking and this machine's API server address. */
function testGroundPatch(apiServerPort: string): object[] {
  return [
    { op: "add", path: "/spec/template/spec/hostNetwork", value: true },
    { op: "add", path: `${container}/env/-`, value: { name: "KUBERNETES_SERVICE_HOST", value: "127.0.0.1" } },
    { op: "add", path: `${container}/env/-`, value: { name: "KUBERNETES_SERVICE_PORT", value: apiServerPort } },
  ];
}

function overlay(dir: string, patch: object[], httpPort: number, managerConfig: string): string {
  const deploymentPatch = [
    ...patch,
    { op: "replace", path: "/spec/replicas", value: 1 },
    { op: "add", path: `${container}/imagePullPolicy`, value: "Never" },
    { op: "replace", path: `${container}/args`, value: [`--http-port=${httpPort}`] },
    { op: "replace", path: `${container}/ports/0/containerPort`, value: httpPort },
    { op: "replace", path: `${container}/livenessProbe/httpGet/port`, value: httpPort },
    { op: "replace", path: `${container}/readinessProbe/httpGet/port`, value: httpPort },
  ];
  const configPatch = [{ op: "replace", path: "/data/controller_manager_config.yaml", value: managerConfig }];
  // JSON is YAML, so the kustomization and its patches are written as JSON.
  return JSON.stringify({
    apiVersion: "kustomize.config.k8s.io/v1beta1",
    kind: "Kustomization",
    // kustomize reads a resource outside its root only by a relative path.
    resources: [relative(dir, join(repoRoot, "deploy"))],
    images: [{ name: "ghcr.io/eraser-ts/eraser-manager", newName: localManagerImage.repo, newTag: localManagerImage.tag }],
    patches: [
      { target: { kind: "Deployment", name: managerDeployment }, patch: JSON.stringify(deploymentPatch) },
      { target: { kind: "ConfigMap", name: "eraser-manager-config" }, patch: JSON.stringify(configPatch) },
    ],
  });
}

/** Waits for the rollout, and for pods of an earlier revision (the chart's, before the patch) to be gone. */
async function waitForRollout(cluster: TestCluster): Promise<void> {
  const rollout = await cluster.kubectl(["rollout", "status", `deployment/${managerDeployment}`, "-n", operatorNamespace, "--timeout=120s"]);
  const pods = async (output: string): Promise<string> => (await cluster.kubectl(["get", "pods", "-n", operatorNamespace, "-l", "control-plane=controller-manager", "-o", output])).stdout;
  if (rollout.exitCode !== 0) throw new Error(`the manager did not roll out: ${rollout.stdout}${rollout.stderr}\n${await pods("yaml")}`);
  await eventually("one manager pod", async () => ((await pods("name")).trim().split("\n").length === 1 ? true : undefined));
}

/**
 * Applies deploy/ through the test-ground overlay and waits for the manager's rollout. The CRDs
 * and the images (the manager's on every real node) must be there first, as the README says.
 */
export async function installFromDeploy(cluster: TestCluster, managerConfig: string): Promise<DeployInstall> {
  const apiServerPort = new URL(cluster.server).port;
  const httpPort = await freePort();
  const dir = mkdtempSync("/tmp/ets-overlay-");
  writeFileSync(join(dir, "kustomization.yaml"), overlay(dir, testGroundPatch(apiServerPort), httpPort, managerConfig));
  const rendered = await cluster.kubectl(["kustomize", dir]);
  rmSync(dir, { recursive: true, force: true });
  if (rendered.exitCode !== 0) throw new Error(`kubectl kustomize: ${rendered.stderr}`);
  // The namespace stays on uninstall: other tests share it, and a terminating one refuses objects.
  const withoutNamespace = rendered.stdout.split(/^---\n/m).filter((doc) => !/^kind: Namespace$/m.test(doc)).join("---\n");
  const applied = await cluster.kubectl(["apply", "-f", "-"], { input: rendered.stdout });
  if (applied.exitCode !== 0) throw new Error(`kubectl apply: ${applied.stderr}`);
  await waitForRollout(cluster);
  return {
    httpPort,
    async uninstall() {
      const deleted = await cluster.kubectl(["delete", "-f", "-", "--ignore-not-found", "--wait=true"], { input: withoutNamespace });
      if (deleted.exitCode !== 0) throw new Error(`kubectl delete: ${deleted.stderr}`);
    },
  };
}

/**
 * `helm install` of the chart with `values` (JSON is YAML) into the operator's namespace, then the
 * test ground's patch of the Deployment and its rollout. Uninstalls with `helm uninstall`.
 */
export async function installFromChart(cluster: TestCluster, values: (httpPort: number) => object, helmHome: string): Promise<DeployInstall> {
  const httpPort = await freePort();
  const valuesFile = join(helmHome, "values.json");
  writeFileSync(valuesFile, JSON.stringify(values(httpPort)));
  const release = ["--namespace", operatorNamespace, "--kubeconfig", cluster.kubeconfigPath];
  const installed = await helm(helmHome, ["install", "eraser-ts", join(repoRoot, "deploy", "helm", "eraser-ts"), ...release, "--create-namespace", "-f", valuesFile]);
  if (installed.exitCode !== 0) throw new Error(`helm install: ${installed.stderr}`);
  const patch = JSON.stringify(testGroundPatch(new URL(cluster.server).port));
  const patched = await cluster.kubectl(["patch", `deployment/${managerDeployment}`, "-n", operatorNamespace, "--type=json", "-p", patch]);
  if (patched.exitCode !== 0) throw new Error(`kubectl patch: ${patched.stderr}`);
  await waitForRollout(cluster);
  return {
    httpPort,
    async uninstall() {
      const removed = await helm(helmHome, ["uninstall", "eraser-ts", ...release, "--wait", "--ignore-not-found"]);
      if (removed.exitCode !== 0) throw new Error(`helm uninstall: ${removed.stderr}`);
    },
  };
}
