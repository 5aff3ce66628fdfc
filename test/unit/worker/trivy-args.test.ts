import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { defaultScannerConfig } from "../../../src/api/config/defaults.ts";
import { trivyDbDownload, trivyInvocation } from "../../../src/worker/scanner/trivy-args.ts";

describe("trivy command line from the scanner config", () => {
  test("defaults: containerd source, JSON, all severities, the DB made ready before (no scan fetches it), the runtime socket in env", () => {
    const { args, env } = trivyInvocation("docker.io/library/a:1", defaultScannerConfig(), "unix:///run/cri/cri.sock");
    assert.deepEqual(args, [
      "image", "--image-src", "containerd", "--cache-dir", "/var/lib/trivy", "--format", "json", "--quiet",
      "--skip-version-check", "--disable-telemetry", "--scanners", "vuln", "--pkg-types", "os,library",
      "--severity", "CRITICAL,HIGH,MEDIUM,LOW", "--timeout", "3600s", "--skip-db-update", "docker.io/library/a:1",
    ]);
    assert.deepEqual(env, { CONTAINERD_ADDRESS: "/run/cri/cri.sock", CONTAINERD_NAMESPACE: "k8s.io", TRIVY_NO_PROGRESS: "true" });
  });

  test("ignoreUnfixed, ignoredStatuses and offline mode", () => {
    const c = defaultScannerConfig();
    c.vulnerabilities.ignoreUnfixed = true;
    c.vulnerabilities.ignoredStatuses = ["will_not_fix", "end_of_life"];
    c.offline = true;
    const { args } = trivyInvocation("x", c, "unix:///s.sock");
    assert.ok(args.includes("--ignore-unfixed"));
    assert.deepEqual(args.slice(args.indexOf("--ignore-status"), args.indexOf("--ignore-status") + 2), ["--ignore-status", "will_not_fix,end_of_life"]);
    assert.ok(args.includes("--offline-scan") && args.includes("--skip-db-update") && args.includes("--skip-java-db-update"));
  });

  test("online, the Java DB is fetched as trivy sees fit, until a fetch failed in this run", () => {
    assert.equal(trivyInvocation("x", defaultScannerConfig(), "unix:///s.sock").args.includes("--skip-java-db-update"), false);
    const { args } = trivyInvocation("x", defaultScannerConfig(), "unix:///s.sock", { skipJavaDbUpdate: true });
    assert.ok(args.includes("--skip-java-db-update"));
    assert.equal(args.includes("--offline-scan"), false, "skipping the Java DB's refresh is not offline");
  });

  test("javaDbRepo: the Java DB's repository, when set and online", () => {
    const c = defaultScannerConfig();
    assert.equal(trivyInvocation("x", c, "unix:///s.sock").args.includes("--java-db-repository"), false, "unset: trivy's own repositories");
    c.javaDbRepo = "mirror.example.com/trivy-java-db:1";
    const { args } = trivyInvocation("x", c, "unix:///s.sock");
    assert.deepEqual(args.slice(args.indexOf("--java-db-repository"), args.indexOf("--java-db-repository") + 2), ["--java-db-repository", "mirror.example.com/trivy-java-db:1"]);
    c.offline = true;
    assert.equal(trivyInvocation("x", c, "unix:///s.sock").args.includes("--java-db-repository"), false, "offline fetches nothing");
  });

  test("a trivy server: each scan runs in client mode against it", () => {
    const c = defaultScannerConfig();
    c.server = "http://trivy.eraser-system:4954";
    const { args } = trivyInvocation("x", c, "unix:///s.sock");
    assert.deepEqual(args.slice(args.indexOf("--server"), args.indexOf("--server") + 2), ["--server", "http://trivy.eraser-system:4954"]);
    assert.equal(trivyInvocation("x", defaultScannerConfig(), "unix:///s.sock").args.includes("--server"), false);
  });

  test("the DB download, once before the first scan: from dbRepo into cacheDir", () => {
    const c = defaultScannerConfig();
    c.dbRepo = "mirror.example.com/trivy-db";
    c.cacheDir = "/cache";
    assert.deepEqual(trivyDbDownload(c).args, [
      "image", "--download-db-only", "--cache-dir", "/cache", "--db-repository", "mirror.example.com/trivy-db",
      "--quiet", "--skip-version-check", "--disable-telemetry", "--timeout", "3600s",
    ]);
  });
});
