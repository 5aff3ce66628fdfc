// deploy/ on the real API server: every manifest is accepted (server-side dry run, after the CRDs),
// and RBAC grants the manager exactly what it needs while the worker pods' account gets nothing.
// The optional trivy server (deploy/trivy-server/) is checked against the real trivy too.
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { z } from "zod";
import { repoRoot, sharedCluster, type TestCluster } from "../harness/index.ts";
import { trivyVersion } from "../harness/paths.ts";
import { startTrivyServer } from "../harness/trivy-server.ts";
import { loadEraserConfig } from "../../src/api/config/load.ts";
import { buildWorkerPod, type PodJob } from "../../src/manager/pods/build.ts";

const deployDir = join(repoRoot, "deploy");
const managerSa = "system:serviceaccount:eraser-system:eraser-controller-manager";
const podsSa = "system:serviceaccount:eraser-system:eraser-imagejob-pods";
let cluster: TestCluster;

const labelsSchema = z.record(z.string(), z.string());
// Only matchLabels: a selector with matchExpressions would need more than this test evaluates.
const SelectorSchema = z.strictObject({ matchLabels: labelsSchema });
const NetworkPolicySchema = z.object({
  metadata: z.object({ namespace: z.string() }),
  spec: z.strictObject({
    podSelector: SelectorSchema,
    policyTypes: z.array(z.string()),
    ingress: z.array(z.strictObject({ from: z.array(z.strictObject({ podSelector: SelectorSchema, namespaceSelector: z.optional(SelectorSchema) })), ports: z.array(z.unknown()) })),
  }),
});
const TrivyServerObjectSchema = z.looseObject({
  kind: z.string(),
  metadata: z.object({ namespace: z.optional(z.string()) }),
  spec: z.optional(z.looseObject({ template: z.optional(z.object({ metadata: z.optional(z.object({ labels: z.optional(labelsSchema) })), spec: z.optional(z.object({ containers: z.array(z.object({ ports: z.array(z.object({ containerPort: z.number() })).default([]) })) })) })) })),
});

/** Whether a matchLabels selector selects a pod with `labels`. */
const selects = (selector: z.infer<typeof SelectorSchema>, labels: Record<string, string>): boolean =>
  Object.entries(selector.matchLabels).every(([key, value]) => labels[key] === value);

async function canI(as: string, verb: string, resource: string, namespace: string): Promise<boolean> {
  const r = await cluster.kubectl(["auth", "can-i", verb, resource, "-n", namespace], { as });
  return r.stdout.trim() === "yes";
}

describe("deploy/ manifests", () => {
  before(async () => {
    cluster = await sharedCluster();
    const crds = await cluster.kubectl(["apply", "-f", join(repoRoot, "crds")]);
    assert.equal(crds.exitCode, 0, crds.stderr);
    await cluster.kubectl(["wait", "--for=condition=Established", "--timeout=60s", "crd/imagelists.eraser.sh", "crd/imagejobs.eraser.sh"]);
    for (const file of ["namespace.yaml", "rbac.yaml"]) {
      const r = await cluster.kubectl(["apply", "-f", join(deployDir, file)]);
      assert.equal(r.exitCode, 0, `${file}: ${r.stderr}`);
    }
  });

  test("the kustomization and the examples pass a server-side dry run", async () => {
    const all = await cluster.kubectl(["apply", "--dry-run=server", "-k", deployDir]);
    assert.equal(all.exitCode, 0, all.stderr);
    for (const file of ["exclusion-example.yaml", "imagelist-example.yaml"]) {
      const r = await cluster.kubectl(["apply", "--dry-run=server", "-f", join(deployDir, file)]);
      assert.equal(r.exitCode, 0, `${file}: ${r.stderr}`);
    }
  });

  test("the manager may manage worker pods, leases and config in its namespace only", async () => {
    assert.equal(await canI(managerSa, "create", "pods", "eraser-system"), true);
    assert.equal(await canI(managerSa, "delete", "pods", "eraser-system"), true);
    assert.equal(await canI(managerSa, "patch", "pods", "eraser-system"), true, "it sets the images after a scan on its worker pods (ADR 0023)");
    assert.equal(await canI(managerSa, "update", "leases.coordination.k8s.io", "eraser-system"), true);
    assert.equal(await canI(managerSa, "watch", "configmaps", "eraser-system"), true);
    assert.equal(await canI(managerSa, "create", "events", "eraser-system"), true);
    const statusPatch = await cluster.kubectl(["auth", "can-i", "patch", "imagejobs.eraser.sh", "--subresource=status"], { as: managerSa });
    assert.equal(statusPatch.stdout.trim(), "yes", "the manager writes ImageJob status (the status subresource)");
    assert.equal(await canI(managerSa, "list", "nodes", "default"), true);
    assert.equal(await canI(managerSa, "create", "pods", "default"), false);
    assert.equal(await canI(managerSa, "list", "pods", "default"), true, "it lists a node's pods in any namespace for their images (ADR 0019)");
    assert.equal(await canI(managerSa, "get", "pods", "default"), false, "and reads nothing else of them");
    assert.equal(await canI(managerSa, "patch", "pods", "default"), false, "nor changes them");
    assert.equal(await canI(managerSa, "get", "secrets", "eraser-system"), false);
    assert.equal(await canI(managerSa, "delete", "nodes", "default"), false);
  });

  test("the optional trivy server passes a server-side dry run, and its command line starts the trivy release the worker image carries", async () => {
    const dir = join(deployDir, "trivy-server");
    const r = await cluster.kubectl(["apply", "--dry-run=server", "-k", dir]);
    assert.equal(r.exitCode, 0, r.stderr);
    const deployment = parseAllDocuments(readFileSync(join(dir, "trivy-server.yaml"), "utf8")).map((d) => d.toJS() as Record<string, unknown>).find((o) => o["kind"] === "Deployment");
    const container = z.object({ image: z.string(), args: z.array(z.string()) }).parse((deployment as { spec: { template: { spec: { containers: unknown[] } } } } | undefined)?.spec.template.spec.containers[0]);
    const release = trivyVersion.replace(/^v/, "");
    assert.equal(container.image, `ghcr.io/aquasecurity/trivy:${release}`, "the server runs the release the test ground builds");
    assert.match(readFileSync(join(repoRoot, "Dockerfile"), "utf8"), new RegExp(`COPY --from=ghcr\\.io/aquasecurity/trivy:${release.replace(/\./g, "\\.")} `), "and the worker-trivy image carries");
    const work = mkdtempSync("/tmp/ets-tsrv-deploy-");
    try {
      const server = await startTrivyServer(work, container.args);
      await server.stop();
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  test("the trivy server's NetworkPolicy lets in the scanners of automatic-mode worker pods, on the server's port, and no other pod", () => {
    const objects = parseAllDocuments(readFileSync(join(deployDir, "trivy-server", "trivy-server.yaml"), "utf8")).map((d) => TrivyServerObjectSchema.parse(d.toJS()));
    const policy = NetworkPolicySchema.parse(objects.find((o) => o.kind === "NetworkPolicy"));
    const server = objects.find((o) => o.kind === "Deployment");
    const manager = parseAllDocuments(readFileSync(join(deployDir, "manager.yaml"), "utf8")).map((d) => TrivyServerObjectSchema.parse(d.toJS())).find((o) => o.kind === "Deployment");
    assert.equal(policy.metadata.namespace, manager?.metadata.namespace, "it stands in the namespace the manager makes worker pods in");
    assert.ok(selects(policy.spec.podSelector, server?.spec?.template?.metadata?.labels ?? {}), "it isolates the server's pods");
    assert.deepEqual(policy.spec.policyTypes, ["Ingress"], "the server still fetches its DB");
    const [rule, ...more] = policy.spec.ingress;
    assert.ok(rule !== undefined && more.length === 0);
    assert.deepEqual(rule.ports, [{ protocol: "TCP", port: server?.spec?.template?.spec?.containers[0]?.ports[0]?.containerPort }]);
    // The config a user installs, pointed at the server as operations.md says.
    const configMap = parseAllDocuments(readFileSync(join(deployDir, "configmap.yaml"), "utf8")).map((d) => d.toJS() as { data?: Record<string, string> })[0];
    const config = loadEraserConfig(configMap?.data?.["controller_manager_config.yaml"] ?? "").config;
    config.components.scanner.config.server = "http://eraser-trivy-server.eraser-system:4954";
    config.manager.additionalPodLabels = { team: "platform" };
    const podOf = (job: PodJob) => buildWorkerPod({ job, nodeName: "node-a", config, exclusionConfigMaps: [], namespace: "eraser-system", podImages: [] });
    const scanning = podOf({ name: "imagejob-auto", uid: "u1", mode: "automatic", dryRun: false });
    assert.ok(scanning.spec?.containers.some((c) => c.name === "trivy-scanner"), "an automatic pod with the scanner");
    const admitted = (labels: Record<string, string>) => rule.from.some((peer) => peer.namespaceSelector === undefined && selects(peer.podSelector, labels));
    assert.equal(admitted(scanning.metadata?.labels ?? {}), true, "its scanner reaches the server");
    assert.equal(admitted(podOf({ name: "imagelist-x", uid: "u2", mode: "manual", dryRun: false }).metadata?.labels ?? {}), false, "a manual-mode remover does not");
    assert.equal(admitted({ team: "platform" }), false, "nor another pod with the labels users add");
    assert.equal(admitted(server?.spec?.template?.metadata?.labels ?? {}), false);
  });

  test("the worker pods' account can do nothing beyond the defaults", async () => {
    for (const [verb, resource] of [["get", "pods"], ["list", "nodes"], ["get", "configmaps"], ["create", "events"], ["get", "imagelists.eraser.sh"]] as const) {
      assert.equal(await canI(podsSa, verb, resource, "eraser-system"), false, `${verb} ${resource}`);
    }
  });
});
