import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { defaultEraserConfig } from "../../../src/api/config/defaults.ts";
import { buildWorkerPod, podGenerateName } from "../../../src/manager/pods/build.ts";
import { parseWorkerArgs } from "../../../src/worker/args.ts";

const job = { name: "imagejob-auto-x", uid: "u1", mode: "automatic" as const, dryRun: false };

describe("worker pod builder", () => {
  test("automatic: collector, trivy-scanner and remover share an emptyDir; the scanner gets its config, the runtime and a host trivy cache", () => {
    const pod = buildWorkerPod({ job, nodeName: "node-a", config: defaultEraserConfig(), exclusionConfigMaps: ["eraser-system-exclusion"], namespace: "eraser-system", podImages: [] });
    const containers = pod.spec?.containers ?? [];
    assert.deepEqual(containers.map((c) => c.name), ["collector", "trivy-scanner", "remover"]);
    for (const c of containers) {
      assert.ok(c.volumeMounts?.some((m) => m.name === "shared-data" && m.mountPath === "/run/eraser.sh/shared-data"), `${c.name} shares the emptyDir`);
      assert.ok(c.volumeMounts?.some((m) => m.mountPath === "/run/cri/cri.sock"), `${c.name} has the runtime socket`);
      assert.ok(c.args?.includes("--exclusion-dir=/run/eraser.sh/excluded"));
      assert.equal(c.args?.[0], c.name === "trivy-scanner" ? "trivy-scanner" : c.name);
    }
    const scanner = containers[1]!;
    assert.ok(scanner.args?.includes("--config=/config/controller_manager_config.yaml"));
    assert.ok(scanner.env?.some((e) => e.name === "CONTAINERD_NAMESPACE" && e.value === "k8s.io"));
    assert.ok(scanner.volumeMounts?.some((m) => m.name === "trivy-cache" && m.mountPath === "/var/lib/trivy"));
    const cache = pod.spec?.volumes?.find((v) => v.name === "trivy-cache");
    assert.deepEqual(cache?.hostPath, { path: "/var/lib/trivy", type: "DirectoryOrCreate" });
    assert.equal(pod.metadata?.labels?.["eraser.sh/type"], "collector");
    assert.deepEqual(scanner.resources, { requests: { memory: "500Mi", cpu: "1000m" }, limits: { memory: "2Gi" } });
  });

  test("with a trivy server, the scanner gets TRIVY_TOKEN from the optional Secret eraser-trivy-token; without one, no token", () => {
    const config = defaultEraserConfig();
    const inputs = { job, nodeName: "n", exclusionConfigMaps: [], namespace: "eraser-system", podImages: [] };
    const tokenOf = (pod: ReturnType<typeof buildWorkerPod>) => pod.spec?.containers.find((c) => c.name === "trivy-scanner")?.env?.find((e) => e.name === "TRIVY_TOKEN");
    assert.equal(tokenOf(buildWorkerPod({ ...inputs, config })), undefined);
    config.components.scanner.config.server = "http://eraser-trivy-server.eraser-system:4954";
    const pod = buildWorkerPod({ ...inputs, config });
    assert.deepEqual(tokenOf(pod)?.valueFrom, { secretKeyRef: { name: "eraser-trivy-token", key: "token", optional: true } });
    for (const name of ["collector", "remover"]) assert.ok(!pod.spec?.containers.find((c) => c.name === name)?.env?.some((e) => e.name === "TRIVY_TOKEN"), `${name} gets no token`);
  });

  test("scan once: a first-wave scanner shares its verdicts; a later one mounts the job's verdicts (optional) and reads them", () => {
    const inputs = { job, nodeName: "n", config: defaultEraserConfig(), exclusionConfigMaps: [], namespace: "eraser-system", podImages: [] };
    const scannerOf = (pod: ReturnType<typeof buildWorkerPod>) => pod.spec?.containers.find((c) => c.name === "trivy-scanner");
    const first = buildWorkerPod({ ...inputs, scanVerdicts: { role: "share" } });
    assert.ok(scannerOf(first)?.args?.includes("--share-verdicts"));
    assert.ok(!first.spec?.volumes?.some((v) => v.name === "scan-verdicts"));
    const later = buildWorkerPod({ ...inputs, scanVerdicts: { role: "reuse", configMap: "imagejob-auto-x-verdicts" } });
    const scanner = scannerOf(later);
    assert.ok(scanner?.args?.includes("--verdicts=/run/eraser.sh/verdicts/verdicts.json"));
    assert.ok(!scanner?.args?.includes("--share-verdicts"));
    assert.ok(scanner?.volumeMounts?.some((m) => m.name === "scan-verdicts" && m.mountPath === "/run/eraser.sh/verdicts" && m.readOnly === true));
    assert.deepEqual(later.spec?.volumes?.find((v) => v.name === "scan-verdicts")?.configMap, { name: "imagejob-auto-x-verdicts", optional: true });
    for (const name of ["collector", "remover"]) {
      assert.ok(!later.spec?.containers.find((c) => c.name === name)?.volumeMounts?.some((m) => m.name === "scan-verdicts"), `${name} does not read verdicts`);
    }
    const alone = buildWorkerPod(inputs);
    assert.ok(!scannerOf(alone)?.args?.some((a) => a.includes("verdicts")), "without scan-once, neither flag");
  });

  test("scanner disabled: collector (--scan-disabled) and remover only; automatic dry run reaches the remover", () => {
    const config = defaultEraserConfig();
    config.components.scanner.enabled = false;
    config.manager.dryRun = true;
    const pod = buildWorkerPod({ job, nodeName: "n", config, exclusionConfigMaps: [], namespace: "eraser-system", podImages: [] });
    const containers = pod.spec?.containers ?? [];
    assert.deepEqual(containers.map((c) => c.name), ["collector", "remover"]);
    assert.ok(containers[0]?.args?.includes("--scan-disabled"));
    assert.ok(containers[1]?.args?.includes("--dry-run"));
    assert.ok(!containers[0]?.args?.some((a) => a.startsWith("--exclusion-dir")), "no exclusion dir when no list is mounted");
  });

  test("the runtime socket comes from manager.runtime.address; our own images are never removed", () => {
    const config = defaultEraserConfig();
    config.manager.runtime = { name: "crio", address: "unix:///run/crio/crio.sock" };
    const pod = buildWorkerPod({ job: { ...job, mode: "manual", imageListConfigMap: "j-imagelist" }, nodeName: "n", config, exclusionConfigMaps: [], namespace: "ns", podImages: [] });
    assert.deepEqual(pod.spec?.volumes?.[0]?.hostPath, { path: "/run/crio/crio.sock", type: "Socket" });
    assert.ok(pod.spec?.containers[0]?.args?.includes("--self-image=ghcr.io/eraser-ts/eraser-worker:v0.1.0"));
  });

  test("the node's pods' images reach the collector and the remover, one --pod-image each, in both modes; the scanner gets none", () => {
    const podImages = ["docker.io/library/app:2", "registry.example/init@sha256:" + "b".repeat(64)];
    const wanted = podImages.map((image) => `--pod-image=${image}`);
    const auto = buildWorkerPod({ job, nodeName: "n", config: defaultEraserConfig(), exclusionConfigMaps: [], namespace: "eraser-system", podImages });
    for (const c of auto.spec?.containers ?? []) {
      const given = c.args?.filter((a) => a.startsWith("--pod-image=")) ?? [];
      assert.deepEqual(given, c.name === "trivy-scanner" ? [] : wanted, c.name);
    }
    const manual = buildWorkerPod({ job: { ...job, mode: "manual", imageListConfigMap: "j-imagelist" }, nodeName: "n", config: defaultEraserConfig(), exclusionConfigMaps: [], namespace: "ns", podImages });
    assert.deepEqual(manual.spec?.containers[0]?.args?.filter((a) => a.startsWith("--pod-image=")), wanted);
  });

  test("automatic mode: the remover, and only it, waits for the images after the scan in a downwardAPI file of the pod's annotation (ADR 0023); manual mode has none", () => {
    for (const scan of [true, false]) {
      const config = defaultEraserConfig();
      config.components.scanner.enabled = scan;
      const pod = buildWorkerPod({ job, nodeName: "n", config, exclusionConfigMaps: [], namespace: "eraser-system", podImages: [] });
      const volume = pod.spec?.volumes?.find((v) => v.name === "pod-info");
      assert.deepEqual(volume?.downwardAPI?.items, [{ path: "pod-images", fieldRef: { fieldPath: "metadata.annotations['eraser.sh/pod-images-after-scan']" } }]);
      for (const c of pod.spec?.containers ?? []) {
        const mounted = c.volumeMounts?.find((m) => m.name === "pod-info");
        const options = parseWorkerArgs(c.args ?? []).options;
        if (c.name === "remover") {
          assert.deepEqual(mounted, { name: "pod-info", mountPath: "/run/eraser.sh/pod-info", readOnly: true });
          assert.equal(options["pod-images-file"], `${mounted.mountPath}/${volume?.downwardAPI?.items?.[0]?.path ?? ""}`, "the flag names the file the volume holds");
        } else {
          assert.equal(mounted, undefined, c.name);
          assert.equal(options["pod-images-file"], undefined, c.name);
        }
      }
    }
    const manual = buildWorkerPod({ job: { ...job, mode: "manual", imageListConfigMap: "j-imagelist" }, nodeName: "n", config: defaultEraserConfig(), exclusionConfigMaps: [], namespace: "ns", podImages: [] });
    assert.equal(manual.spec?.volumes?.some((v) => v.name === "pod-info"), false);
    assert.equal(parseWorkerArgs(manual.spec?.containers[0]?.args ?? []).options["pod-images-file"], undefined);
  });

  test("pod names fit 63 characters for long node names", () => {
    assert.equal(podGenerateName("node-1"), "eraser-node-1-");
    assert.ok(podGenerateName("a".repeat(80)).length + 5 <= 63);
  });
});
