import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { ConfigError, defaultEraserConfig, loadEraserConfig, parseScannerConfig } from "../../../src/api/config/load.ts";
import { intervalHoursToRepeatIntervalMs } from "../../../src/api/config/aks-interval.ts";

const fixture = (name: string): string => readFileSync(new URL(`fixtures/${name}`, import.meta.url), "utf8");
const hour = 3_600_000;

function rejects(yaml: string, field: string, message: RegExp): void {
  assert.throws(() => loadEraserConfig(yaml), (error: unknown) => {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    assert.equal(error.field, field);
    assert.match(error.message, message);
    return true;
  });
}

describe("EraserConfig defaults (SPEC §1.2)", () => {
  const { config, warnings } = loadEraserConfig("apiVersion: eraser.sh/v1alpha3\nkind: EraserConfig\n");
  const m = config.manager;
  const c = config.components;
  const defaults: [string, unknown, unknown][] = [
    ["manager.runtime", m.runtime, { name: "containerd", address: "unix:///run/containerd/containerd.sock" }],
    ["manager.otlpEndpoint", m.otlpEndpoint, ""],
    ["manager.logLevel", m.logLevel, "info"],
    ["manager.scheduling.repeatInterval", m.scheduling.repeatIntervalMs, 24 * hour],
    ["manager.scheduling.beginImmediately", m.scheduling.beginImmediately, true],
    ["manager.profile", m.profile, { enabled: false, port: 6060 }],
    ["manager.imageJob.successRatio", m.imageJob.successRatio, 1.0],
    ["manager.imageJob.cleanup.delayOnSuccess", m.imageJob.cleanup.delayOnSuccessMs, 0],
    ["manager.imageJob.cleanup.delayOnFailure", m.imageJob.cleanup.delayOnFailureMs, 24 * hour],
    ["manager.pullSecrets", m.pullSecrets, []],
    ["manager.priorityClassName", m.priorityClassName, ""],
    ["manager.additionalPodLabels", m.additionalPodLabels, {}],
    ["manager.nodeFilter", m.nodeFilter, { type: "exclude", selectors: ["eraser.sh/cleanup.filter"] }],
    ["manager.dryRun", m.dryRun, false],
    ["components.collector.enabled", c.collector.enabled, true],
    ["components.collector.request", c.collector.request, { memory: "25Mi", cpu: "7m" }],
    ["components.collector.limit", c.collector.limit, { memory: "500Mi" }],
    ["components.scanner.enabled", c.scanner.enabled, true],
    ["components.scanner.request", c.scanner.request, { memory: "500Mi", cpu: "1000m" }],
    ["components.scanner.limit", c.scanner.limit, { memory: "2Gi" }],
    ["components.scanner.volumes", c.scanner.volumes, []],
    ["components.remover.request", c.remover.request, { memory: "40Mi", cpu: "7m" }],
    ["components.remover.limit", c.remover.limit, { memory: "96Mi" }],
    ["scanner.cacheDir", c.scanner.config.cacheDir, "/var/lib/trivy"],
    ["scanner.dbRepo", c.scanner.config.dbRepo, "ghcr.io/aquasecurity/trivy-db"],
    ["scanner.deleteFailedImages", c.scanner.config.deleteFailedImages, true],
    ["scanner.deleteEOLImages", c.scanner.config.deleteEOLImages, true],
    ["scanner.vulnerabilities.ignoreUnfixed", c.scanner.config.vulnerabilities.ignoreUnfixed, false],
    ["scanner.vulnerabilities.types", c.scanner.config.vulnerabilities.types, ["os", "library"]],
    ["scanner.vulnerabilities.securityChecks", c.scanner.config.vulnerabilities.securityChecks, ["vuln"]],
    ["scanner.vulnerabilities.severities", c.scanner.config.vulnerabilities.severities, ["CRITICAL", "HIGH", "MEDIUM", "LOW"]],
    ["scanner.vulnerabilities.ignoredStatuses", c.scanner.config.vulnerabilities.ignoredStatuses, []],
    ["scanner.timeout.total", c.scanner.config.timeout.totalMs, 23 * hour],
    ["scanner.timeout.perImage", c.scanner.config.timeout.perImageMs, hour],
  ];
  for (const [field, actual, expected] of defaults) {
    test(field, () => {
      assert.deepEqual(actual, expected);
    });
  }
  test("an empty document warns about nothing and equals defaultEraserConfig()", () => {
    assert.deepEqual(warnings, []);
    assert.deepEqual(config, defaultEraserConfig());
  });
  test("the default scanner config string parses to the default scanner config", () => {
    assert.deepEqual(parseScannerConfig(c.scanner.configYaml).config, c.scanner.config);
  });
});

describe("overlay semantics", () => {
  test("given fields replace defaults, omitted ones keep them, a given list replaces the default list", () => {
    const { config } = loadEraserConfig(`apiVersion: eraser.sh/v1alpha3
manager:
  scheduling: { repeatInterval: 1h30m }
  pullSecrets: [regcred]
  nodeFilter: { type: include, selectors: [pool=spot] }
components:
  remover: { limit: { mem: 128Mi } }
`);
    assert.equal(config.manager.scheduling.repeatIntervalMs, 1.5 * hour);
    assert.equal(config.manager.scheduling.beginImmediately, true);
    assert.deepEqual(config.manager.pullSecrets, ["regcred"]);
    assert.deepEqual(config.manager.nodeFilter, { type: "include", selectors: ["eraser.sh/cleanup.filter", "pool=spot"] });
    assert.deepEqual(config.components.remover.limit, { memory: "128Mi" });
    assert.deepEqual(config.components.remover.request, { memory: "40Mi", cpu: "7m" });
  });

  test("runtime name alone takes that runtime's default socket", () => {
    const { config } = loadEraserConfig("apiVersion: eraser.sh/v1alpha3\nmanager:\n  runtime: { name: crio }\n");
    assert.deepEqual(config.manager.runtime, { name: "crio", address: "unix:///run/crio/crio.sock" });
  });

  test("schedule extensions beyond Eraser: cron, time zone, maintenance window, dry run", () => {
    const { config, warnings } = loadEraserConfig(`apiVersion: eraser.sh/v1alpha3
manager:
  dryRun: true
  scheduling:
    cron: "0 3 * * *"
    timeZone: Europe/Berlin
    maintenanceWindow: { start: "22:00", duration: 4h, days: [Sat, Sun] }
`);
    assert.deepEqual(warnings, []);
    assert.equal(config.manager.dryRun, true);
    assert.deepEqual(config.manager.scheduling, {
      repeatIntervalMs: 24 * hour,
      beginImmediately: true,
      cron: "0 3 * * *",
      timeZone: "Europe/Berlin",
      maintenanceWindow: { start: "22:00", durationMs: 4 * hour, days: [6, 0] },
    });
  });

  test("scan once per run: on with a first wave of 3 nodes by default; both settable in the scanner config", () => {
    assert.deepEqual(defaultEraserConfig().components.scanner.config.scanOnce, { enabled: true, firstWaveNodes: 3 });
    const { config, warnings } = parseScannerConfig("scanOnce: { firstWaveNodes: 10 }\n");
    assert.deepEqual(warnings, []);
    assert.deepEqual(config.scanOnce, { enabled: true, firstWaveNodes: 10 });
    assert.deepEqual(parseScannerConfig("scanOnce: { enabled: false }\n").config.scanOnce, { enabled: false, firstWaveNodes: 3 });
  });

  test("a trivy server: off by default; its URL without a trailing slash", () => {
    assert.equal(defaultEraserConfig().components.scanner.config.server, "");
    assert.equal(parseScannerConfig("server: http://trivy.eraser-system:4954/\n").config.server, "http://trivy.eraser-system:4954");
    assert.equal(parseScannerConfig("server: https://trivy.example.com\n").config.server, "https://trivy.example.com");
  });

  test("javaDbRepo: trivy's own repositories by default, a mirror when set, never empty", () => {
    assert.equal(defaultEraserConfig().components.scanner.config.javaDbRepo, "");
    const { config, warnings } = parseScannerConfig("javaDbRepo: mirror.example.com/trivy-java-db:1\n");
    assert.deepEqual([config.javaDbRepo, warnings], ["mirror.example.com/trivy-java-db:1", []]);
    assert.throws(() => parseScannerConfig('javaDbRepo: ""\n'), /components\.scanner\.config\.javaDbRepo/);
  });
});

describe("documents Eraser ships and older versions", () => {
  test("Eraser v1.4's eraser-manager-config body parses unchanged, with no warnings", () => {
    const { config, warnings } = loadEraserConfig(fixture("eraser-v1.4-manager-config.yaml"));
    assert.deepEqual(warnings, []);
    assert.deepEqual(config.manager.nodeFilter.selectors, ["eraser.sh/cleanup.filter", "kubernetes.io/os=windows"]);
    assert.deepEqual(config.components.remover.image, { repo: "ghcr.io/eraser-dev/remover", tag: "v1.4.0-beta.0" });
    assert.deepEqual(config.components.remover.limit, { memory: "30Mi" }, "cpu: 0 means no CPU limit");
    assert.equal(config.components.scanner.config.vulnerabilities.ignoreUnfixed, true);
    assert.deepEqual(config.components.scanner.config.vulnerabilities.ignoredStatuses, [], "a null list keeps the default");
  });

  test("v1alpha1: components.eraser becomes the remover, a runtime string becomes {name, address}", () => {
    const { config, warnings } = loadEraserConfig(fixture("eraser-v1alpha1-config.yaml"));
    assert.deepEqual(warnings, []);
    assert.deepEqual(config.manager.runtime, { name: "crio", address: "unix:///run/crio/crio.sock" });
    assert.deepEqual(config.components.remover.image, { repo: "ghcr.io/azure/eraser", tag: "v0.5.0" });
    assert.deepEqual(config.components.remover.limit, { memory: "40Mi" });
    assert.equal(config.components.collector.enabled, false);
    assert.equal(config.manager.scheduling.repeatIntervalMs, 12 * hour);
    assert.equal(config.manager.imageJob.successRatio, 0.9);
  });

  test("v1alpha2: a runtime string, components.remover", () => {
    const { config } = loadEraserConfig(`apiVersion: eraser.sh/v1alpha2
kind: EraserConfig
manager: { runtime: dockershim }
components: { remover: { image: { repo: example.com/remover, tag: "2" } } }
`);
    assert.deepEqual(config.manager.runtime, { name: "dockershim", address: "unix:///run/dockershim.sock" });
    assert.deepEqual(config.components.remover.image, { repo: "example.com/remover", tag: "2" });
  });

  test("components.eraser in v1alpha3 is an unknown key (it was renamed), and is named", () => {
    const { warnings } = loadEraserConfig("apiVersion: eraser.sh/v1alpha3\ncomponents:\n  eraser: { image: { repo: x } }\n");
    assert.deepEqual(warnings, ['unknown field "components.eraser" is ignored']);
  });
});

describe("bad configs are refused with the field named", () => {
  test("unknown apiVersion names it", () => {
    rejects("apiVersion: eraser.sh/v2\n", "apiVersion", /unknown apiVersion "eraser.sh\/v2"/);
    rejects("kind: EraserConfig\n", "apiVersion", /missing/);
  });
  test("wrong types and ranges", () => {
    rejects("apiVersion: eraser.sh/v1alpha3\nmanager: { imageJob: { successRatio: abc } }\n", "manager.imageJob.successRatio", /number/);
    rejects("apiVersion: eraser.sh/v1alpha3\nmanager: { imageJob: { successRatio: 1.5 } }\n", "manager.imageJob.successRatio", /1/);
    rejects("apiVersion: eraser.sh/v1alpha3\nmanager: { nodeFilter: { type: only } }\n", "manager.nodeFilter.type", /exclude|include/);
    rejects("apiVersion: eraser.sh/v1alpha3\nmanager: { runtime: { name: podman } }\n", "manager.runtime.name", /containerd/);
  });
  test("durations and quantities", () => {
    rejects("apiVersion: eraser.sh/v1alpha3\nmanager: { scheduling: { repeatInterval: 1d } }\n", "manager.scheduling.repeatInterval", /invalid duration "1d"/);
    rejects("apiVersion: eraser.sh/v1alpha3\nmanager: { imageJob: { cleanup: { delayOnFailure: soon } } }\n", "manager.imageJob.cleanup.delayOnFailure", /soon/);
    rejects("apiVersion: eraser.sh/v1alpha3\ncomponents: { remover: { limit: { mem: 30MB } } }\n", "components.remover.limit.mem", /invalid quantity "30MB"/);
  });
  test("runtime address without a name, and a bad address", () => {
    rejects("apiVersion: eraser.sh/v1alpha3\nmanager: { runtime: { address: unix:///x.sock } }\n", "manager.runtime.name", /required/);
    rejects("apiVersion: eraser.sh/v1alpha3\nmanager: { runtime: { name: containerd, address: /x.sock } }\n", "manager.runtime.address", /unix:\/\//);
  });
  test("broken YAML, a non-mapping document and a broken scanner config", () => {
    rejects("apiVersion: [\n", "", /not valid YAML/);
    rejects("- a\n- b\n", "", /mapping/);
    rejects("apiVersion: eraser.sh/v1alpha3\ncomponents: { scanner: { config: 'timeout: { total: forever }' } }\n", "components.scanner.config.timeout.total", /forever/);
    rejects("apiVersion: eraser.sh/v1alpha3\ncomponents: { scanner: { config: 'vulnerabilities: { severities: [SEVERE] }' } }\n", "components.scanner.config.vulnerabilities.severities.0", /CRITICAL/);
    rejects("apiVersion: eraser.sh/v1alpha3\ncomponents: { scanner: { config: 'scanOnce: { firstWaveNodes: 0 }' } }\n", "components.scanner.config.scanOnce.firstWaveNodes", />=1/);
    for (const server of ["trivy-server:4954", "ftp://trivy.example.com", "http://"]) {
      rejects(`apiVersion: eraser.sh/v1alpha3\ncomponents: { scanner: { config: 'server: "${server}"' } }\n`, "components.scanner.config.server", /the trivy server's http:\/\/ or https:\/\/ URL/);
    }
  });
  test("unknown keys warn with their path, at every depth", () => {
    const { warnings } = loadEraserConfig(`apiVersion: eraser.sh/v1alpha3
manager:
  scheduling: { repeatInterva: 1h }
  colour: blue
components:
  scanner: { config: "cacheDirectory: /tmp" }
`);
    assert.deepEqual(warnings.sort(), [
      'unknown field "components.scanner.config.cacheDirectory" is ignored',
      'unknown field "manager.colour" is ignored',
      'unknown field "manager.scheduling.repeatInterva" is ignored',
    ]);
  });
});

describe("AKS interval knob", () => {
  test("168 hours by default, 24..2160 accepted", () => {
    assert.equal(intervalHoursToRepeatIntervalMs(), 168 * hour);
    assert.equal(intervalHoursToRepeatIntervalMs(24), 24 * hour);
    assert.equal(intervalHoursToRepeatIntervalMs(2160), 2160 * hour);
  });
  for (const bad of [23, 2161, 0, 36.5]) {
    test(`${bad} hours is refused`, () => {
      assert.throws(() => intervalHoursToRepeatIntervalMs(bad), /whole number of hours from 24 to 2160/);
    });
  }
});
