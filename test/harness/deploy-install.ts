// Installs deploy/ as a user does (`kubectl apply -k`), through a kustomize overlay that carries
// only what this test ground needs and a cluster would not (ENVIRONMENT.md):
// - the manager image built here (imported into the node, so `imagePullPolicy: Never`);
// - `nodeName`, since the test ground runs no scheduler;
// - host networking with the API server's loopback address, since nothing serves the service IP;
//   on the host's network two replicas would contend for one port, so one replica and a free port;
// - the manager config for the node's own runtime socket and the local worker images.
// Everything else (RBAC, ServiceAccounts, security context, probes, the namespace) is deploy/'s.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { TestCluster, RealNode } from "./cluster.ts";
import { repoRoot } from "./paths.ts";
import { freePort } from "./process.ts";

export const localManagerImage = { repo: "localhost/eraser-ts/eraser-manager", tag: "local" } as const;
export const managerDeployment = "eraser-controller-manager";

export interface DeployInstall {
  /** The manager's HTTP port on the host (/healthz, /readyz, /metrics). */
  httpPort: number;
  /** Removes what the overlay applied, except the namespace that other tests share. */
  uninstall(): Promise<void>;
}

function overlay(dir: string, node: RealNode, apiServerPort: string, httpPort: number, managerConfig: string): string {
  const container = "/spec/template/spec/containers/0";
  const deploymentPatch = [
    { op: "replace", path: "/spec/replicas", value: 1 },
    { op: "add", path: "/spec/template/spec/nodeName", value: node.name },
    { op: "add", path: "/spec/template/spec/hostNetwork", value: true },
    { op: "add", path: `${container}/imagePullPolicy`, value: "Never" },
    { op: "replace", path: `${container}/args`, value: [`--http-port=${httpPort}`] },
    { op: "replace", path: `${container}/ports/0/containerPort`, value: httpPort },
    { op: "replace", path: `${container}/livenessProbe/httpGet/port`, value: httpPort },
    { op: "replace", path: `${container}/readinessProbe/httpGet/port`, value: httpPort },
    { op: "add", path: `${container}/env/-`, value: { name: "KUBERNETES_SERVICE_HOST", value: "127.0.0.1" } },
    { op: "add", path: `${container}/env/-`, value: { name: "KUBERNETES_SERVICE_PORT", value: apiServerPort } },
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

/**
 * Applies deploy/ through the test-ground overlay and waits for the manager's rollout. The CRDs
 * and the images (manager and workers, on `node`) must be there first, as the README says.
 */
export async function installFromDeploy(cluster: TestCluster, node: RealNode, managerConfig: string): Promise<DeployInstall> {
  const apiServerPort = new URL(cluster.server).port;
  const httpPort = await freePort();
  const dir = mkdtempSync("/tmp/ets-overlay-");
  writeFileSync(join(dir, "kustomization.yaml"), overlay(dir, node, apiServerPort, httpPort, managerConfig));
  const rendered = await cluster.kubectl(["kustomize", dir]);
  rmSync(dir, { recursive: true, force: true });
  if (rendered.exitCode !== 0) throw new Error(`kubectl kustomize: ${rendered.stderr}`);
  // The namespace stays on uninstall: other tests share it, and a terminating one refuses objects.
  const withoutNamespace = rendered.stdout.split(/^---\n/m).filter((doc) => !/^kind: Namespace$/m.test(doc)).join("---\n");
  const applied = await cluster.kubectl(["apply", "-f", "-"], { input: rendered.stdout });
  if (applied.exitCode !== 0) throw new Error(`kubectl apply: ${applied.stderr}`);
  const rollout = await cluster.kubectl(["rollout", "status", `deployment/${managerDeployment}`, "-n", "eraser-system", "--timeout=120s"]);
  if (rollout.exitCode !== 0) {
    const pods = await cluster.kubectl(["get", "pods", "-n", "eraser-system", "-l", "control-plane=controller-manager", "-o", "yaml"]);
    throw new Error(`the manager did not roll out: ${rollout.stdout}${rollout.stderr}\n${pods.stdout}`);
  }
  return {
    httpPort,
    async uninstall() {
      const deleted = await cluster.kubectl(["delete", "-f", "-", "--ignore-not-found", "--wait=true"], { input: withoutNamespace });
      if (deleted.exitCode !== 0) throw new Error(`kubectl delete: ${deleted.stderr}`);
    },
  };
}
