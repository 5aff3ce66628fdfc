// deploy/helm/eraser-ts, rendered by the real helm: it installs what deploy/ installs (a test holds
// the two equal, so they cannot drift apart), the API server accepts it, its config loads, and a
// wrong value stops the render with a message that names it.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments, parse as parseYaml } from "yaml";
import { loadEraserConfig } from "../../src/api/config/load.ts";
import { helm as runHelm, type HelmResult } from "../harness/helm.ts";
import { repoRoot, sharedCluster, type TestCluster } from "../harness/index.ts";

const chartDir = join(repoRoot, "deploy", "helm", "eraser-ts");
const configKey = "controller_manager_config.yaml";
const hourMs = 3_600_000;

type KubeObject = Record<string, unknown> & { kind: string; metadata: { name: string; namespace?: string } };

let cluster: TestCluster;
let helmHome: string;

function helm(args: string[]): Promise<HelmResult> {
  return runHelm(helmHome, args);
}

async function renderChart(namespace: string, ...setArgs: string[]): Promise<string> {
  const r = await helm(["template", "eraser-ts", chartDir, "--namespace", namespace, ...setArgs.flatMap((s) => ["--set", s])]);
  assert.equal(r.exitCode, 0, r.stderr);
  return r.stdout;
}

function objectsOf(manifests: string): KubeObject[] {
  return parseAllDocuments(manifests)
    .map((doc) => doc.toJS() as unknown)
    .filter((o): o is KubeObject => typeof o === "object" && o !== null && "kind" in o);
}

/** Objects by kind/namespace/name, with the manager's config parsed so key order does not matter. */
function byIdentity(objects: KubeObject[]): Map<string, unknown> {
  const map = new Map<string, unknown>();
  for (const o of objects) {
    const data = o["data"] as Record<string, string> | undefined;
    const comparable = o.kind === "ConfigMap" && data?.[configKey] !== undefined ? { ...o, data: { ...data, [configKey]: parseYaml(data[configKey]) as unknown } } : o;
    map.set(`${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`, comparable);
  }
  return map;
}

function managerConfigOf(objects: KubeObject[]): string {
  const configMap = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "eraser-manager-config");
  const text = (configMap?.["data"] as Record<string, string> | undefined)?.[configKey];
  assert.ok(text !== undefined, "the chart renders eraser-manager-config");
  return text;
}

interface Container {
  image: string;
  args: string[];
}

function managerContainerOf(objects: KubeObject[]): Container {
  const deployment = objects.find((o) => o.kind === "Deployment") as { spec: { template: { spec: { containers: Container[] } } } } | undefined;
  const container = deployment?.spec.template.spec.containers[0];
  assert.ok(container !== undefined, "the chart renders the manager's Deployment");
  return container;
}

describe("the Helm chart (deploy/helm/eraser-ts)", () => {
  before(async () => {
    cluster = await sharedCluster();
    helmHome = mkdtempSync(join(tmpdir(), "ets-helm-"));
  });
  after(() => {
    rmSync(helmHome, { recursive: true, force: true });
  });

  test("passes helm lint --strict", async () => {
    const r = await helm(["lint", "--strict", chartDir]);
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
  });

  test("installs exactly what `kubectl apply -k deploy/` does, but the Namespace, at the same interval", async () => {
    const kustomized = await cluster.kubectl(["kustomize", join(repoRoot, "deploy")]);
    assert.equal(kustomized.exitCode, 0, kustomized.stderr);
    const fromKustomize = objectsOf(kustomized.stdout).filter((o) => o.kind !== "Namespace");
    const fromChart = objectsOf(await renderChart("eraser-system", "imageCleanerIntervalHours=24"));
    assert.deepEqual(byIdentity(fromChart), byIdentity(fromKustomize));
  });

  test("the API server accepts every object it renders (server-side dry run) in the release's namespace", async () => {
    const namespace = "eraser-helm-chart";
    const created = await cluster.kubectl(["create", "namespace", namespace]);
    assert.equal(created.exitCode, 0, created.stderr);
    try {
      const manifests = await renderChart(namespace);
      const objects = objectsOf(manifests);
      for (const o of objects.filter((x) => x.metadata.namespace !== undefined)) assert.equal(o.metadata.namespace, namespace, `${o.kind}/${o.metadata.name}`);
      const subjects = objects.flatMap((o) => (o["subjects"] as { namespace: string }[] | undefined) ?? []);
      assert.deepEqual(new Set(subjects.map((s) => s.namespace)), new Set([namespace]), "every binding names the release's service account");
      const r = await cluster.kubectl(["apply", "--dry-run=server", "-f", "-"], { input: manifests });
      assert.equal(r.exitCode, 0, r.stderr);
      assert.equal(r.stdout.trim().split("\n").length, objects.length, r.stdout);
    } finally {
      await cluster.kubectl(["delete", "namespace", namespace, "--wait=false"]);
    }
  });

  test("by default: a weekly run (AKS's 168 hours), the three images, and a config that loads without warnings", async () => {
    const objects = objectsOf(await renderChart("eraser-system"));
    const { config, warnings } = loadEraserConfig(managerConfigOf(objects));
    assert.deepEqual(warnings, []);
    assert.equal(config.manager.scheduling.repeatIntervalMs, 168 * hourMs);
    assert.deepEqual(config.components.collector.image, { repo: "ghcr.io/eraser-ts/eraser-worker", tag: "v0.1.0" });
    assert.deepEqual(config.components.scanner.image, { repo: "ghcr.io/eraser-ts/eraser-worker-trivy", tag: "v0.1.0" });
    assert.deepEqual(config.components.remover.image, { repo: "ghcr.io/eraser-ts/eraser-worker", tag: "v0.1.0" });
    const container = managerContainerOf(objects);
    assert.equal(container.image, "ghcr.io/eraser-ts/eraser-manager:v0.1.0");
    assert.deepEqual(container.args, ["--http-port=8081"]);
  });

  test("values reach the config and the Deployment: the interval, each image, the manager's extra flags", async () => {
    const objects = objectsOf(
      await renderChart(
        "eraser-system",
        "imageCleanerIntervalHours=2160",
        "images.worker.repository=registry.example/eraser-worker",
        "images.worker.tag=1.2.3",
        "images.scanner.repository=registry.example/eraser-worker-trivy",
        "images.manager.repository=registry.example/eraser-manager",
        "manager.extraArgs={--lease-duration=30s}",
        "config.manager.nodeFilter.type=include",
        "config.manager.nodeFilter.selectors={pool=batch}",
      ),
    );
    const { config, warnings } = loadEraserConfig(managerConfigOf(objects));
    assert.deepEqual(warnings, []);
    assert.equal(config.manager.scheduling.repeatIntervalMs, 2160 * hourMs);
    assert.deepEqual(config.components.collector.image, { repo: "registry.example/eraser-worker", tag: "1.2.3" });
    assert.deepEqual(config.components.remover.image, { repo: "registry.example/eraser-worker", tag: "1.2.3" });
    assert.deepEqual(config.components.scanner.image, { repo: "registry.example/eraser-worker-trivy", tag: "v0.1.0" });
    assert.deepEqual(config.manager.nodeFilter, { type: "include", selectors: ["eraser.sh/cleanup.filter", "pool=batch"] });
    const container = managerContainerOf(objects);
    assert.equal(container.image, "registry.example/eraser-manager:v0.1.0");
    assert.deepEqual(container.args, ["--http-port=8081", "--lease-duration=30s"]);
  });

  test("an interval that is not a whole number of hours from 24 to 2160, or a missing image, stops the render and names the value", async () => {
    for (const [value, shown] of [["12", "got 12"], ["2161", "got 2161"], ["24.5", "got 24.5"], ["weekly", "got weekly"]] as const) {
      const r = await helm(["template", "eraser-ts", chartDir, "--set", `imageCleanerIntervalHours=${value}`]);
      assert.notEqual(r.exitCode, 0, `imageCleanerIntervalHours=${value} rendered`);
      assert.match(r.stderr, new RegExp(`imageCleanerIntervalHours must be a whole number of hours from 24 to 2160, ${shown}`));
      assert.equal(r.stdout, "", "nothing is rendered");
    }
    const noRepo = await helm(["template", "eraser-ts", chartDir, "--set", "images.scanner.repository="]);
    assert.notEqual(noRepo.exitCode, 0);
    assert.match(noRepo.stderr, /images\.scanner\.repository is required/);
  });

  test("trivyServer.enabled renders deploy/trivy-server/ (with its NetworkPolicy) and points the scanner at it; a server the config names stays", async () => {
    const kustomized = await cluster.kubectl(["kustomize", join(repoRoot, "deploy", "trivy-server")]);
    assert.equal(kustomized.exitCode, 0, kustomized.stderr);
    const objects = objectsOf(await renderChart("eraser-system", "imageCleanerIntervalHours=24", "trivyServer.enabled=true"));
    const server = objects.filter((o) => o.metadata.name === "eraser-trivy-server");
    assert.deepEqual(byIdentity(server), byIdentity(objectsOf(kustomized.stdout)));
    const { config, warnings } = loadEraserConfig(managerConfigOf(objects));
    assert.deepEqual(warnings, []);
    assert.equal(config.components.scanner.config.server, "http://eraser-trivy-server.eraser-system:4954");
    assert.equal(config.components.scanner.config.cacheDir, "/var/lib/trivy", "the rest of the scanner config is kept");

    const own = objectsOf(await renderChart("eraser-system", "trivyServer.enabled=true", "config.components.scanner.config=server: https://trivy.example.com"));
    assert.equal(loadEraserConfig(managerConfigOf(own)).config.components.scanner.config.server, "https://trivy.example.com");
    assert.deepEqual(server.map((o) => o.kind).sort(), ["Deployment", "NetworkPolicy", "Service"]);
    const open = objectsOf(await renderChart("eraser-system", "trivyServer.enabled=true", "trivyServer.networkPolicy=false"));
    assert.deepEqual(open.filter((o) => o.metadata.name === "eraser-trivy-server").map((o) => o.kind).sort(), ["Deployment", "Service"], "trivyServer.networkPolicy=false leaves the policy out");
    const off = objectsOf(await renderChart("eraser-system"));
    assert.equal(off.some((o) => o.metadata.name === "eraser-trivy-server"), false, "off by default");
    assert.equal(loadEraserConfig(managerConfigOf(off)).config.components.scanner.config.server, "");
  });
});
