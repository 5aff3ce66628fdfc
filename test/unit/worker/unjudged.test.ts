import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { unjudgedScan } from "../../../src/worker/scanner/unjudged.ts";

const noJavaDb = "FATAL run error: ... post analysis error: Unable to initialize the Java DB: Java DB update failed: '--skip-java-db-update' cannot be specified on the first run\n";

describe("scans that leave their image unjudged", () => {
  test("a trivy the kernel killed (SIGKILL, the OOM killer) names memory; another signal is named as it is", () => {
    assert.deepEqual(unjudgedScan({ signal: "SIGKILL", timedOut: false, stderr: "" }), {
      cause: "killed",
      reason: "trivy-killed: trivy was killed by SIGKILL before it judged the image (most likely out of memory: raise the trivy-scanner's limit, components.scanner.limit.memory)",
    });
    assert.deepEqual(unjudgedScan({ signal: "SIGSEGV", timedOut: false, stderr: "" }), { cause: "killed", reason: "trivy-killed: trivy was killed by SIGSEGV before it judged the image" });
  });

  test("the scanner's own kill at timeout.perImage is a failed scan, as in Eraser", () => {
    assert.equal(unjudgedScan({ signal: "SIGTERM", timedOut: true, stderr: "" }), undefined);
  });

  test("a runtime trivy could not reach, by its containerd source's words", () => {
    const stderr = 'FATAL run error: image scan error: unable to find the specified image "docker.io/library/a:1" in ["containerd"]: 1 error occurred:\n\t* containerd error: containerd socket not found: /run/containerd/containerd.sock\n';
    assert.deepEqual(unjudgedScan({ timedOut: false, stderr }), {
      cause: "runtime",
      reason: "runtime-unreachable: trivy could not reach the container runtime: containerd socket not found: /run/containerd/containerd.sock",
    });
    const refused = "* containerd error: failed to list images from containerd client: connection error: dial unix /run/containerd/containerd.sock: connect: connection refused";
    assert.equal(unjudgedScan({ timedOut: false, stderr: refused })?.cause, "runtime");
    assert.equal(unjudgedScan({ timedOut: false, stderr: "* containerd error: image not found in containerd store: docker.io/library/a:1" }), undefined, "an image gone is the image's own");
  });

  test("a trivy out of disk space, by Go's words for ENOSPC", () => {
    const stderr = "FATAL run error: image scan error: scan error: unable to initialize a scan service: unable to initialize an image scan service: failed to parse the image: write /tmp/containerd-export-2815: no space left on device\n";
    const unjudged = unjudgedScan({ timedOut: false, stderr });
    assert.equal(unjudged?.cause, "disk");
    assert.match(unjudged?.reason ?? "", /^scanner-disk-full: trivy ran out of disk space for the image: .*write \/tmp\/containerd-export-2815: no space left on device$/);
  });

  test("no Java DB, by trivy's own words; any other exit is a failed scan", () => {
    assert.deepEqual(unjudgedScan({ timedOut: false, stderr: noJavaDb }), { cause: "java-db", reason: "java-db-unavailable: Java DB update failed: '--skip-java-db-update' cannot be specified on the first run" });
    assert.equal(unjudgedScan({ timedOut: false, stderr: "FATAL run error: image scan error: unable to find the specified image" }), undefined);
  });
});
