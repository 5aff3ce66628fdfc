import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { javaDbFailure, JavaDbFetch } from "../../../src/worker/scanner/java-db.ts";

// trivy 0.74.0's own stderr, from the integration tier (worker-scanner-java-db).
const offlineFirstRun = `2026-11-24T12:35:47Z\tFATAL\tFatal error\trun error: image scan error: scan error: scan failed: failed analysis: analyze error: pipeline error: failed to analyze layer (sha256:87a7fed734dd10948927d0fcb0d43d4b536edaf462c126d866b54877820316a0): post analysis error: post analysis error: Unable to initialize the Java DB: Java DB update failed: '--skip-java-db-update' cannot be specified on the first run\n`;
const refused = `2026-11-24T12:35:48Z\tFATAL\tFatal error\trun error: image scan error: scan error: scan failed: failed analysis: analyze error: pipeline error: failed to analyze layer (sha256:87a7): post analysis error: post analysis error: Unable to initialize the Java DB: Java DB update failed: OCI artifact error: failed to download Java DB: failed to download artifact from 127.0.0.1:9/eraser-ts/no-java-db:1: OCI repository error: 1 error occurred:\n\t* Get "https://127.0.0.1:9/v2/": dial tcp 127.0.0.1:9: connect: connection refused\n\n`;

describe("trivy's Java DB", () => {
  test("a scan that failed for want of the Java DB is told from other failures, with trivy's cause on one line", () => {
    assert.equal(javaDbFailure(offlineFirstRun), "Java DB update failed: '--skip-java-db-update' cannot be specified on the first run");
    assert.equal(javaDbFailure(refused), 'Java DB update failed: OCI artifact error: failed to download Java DB: failed to download artifact from 127.0.0.1:9/eraser-ts/no-java-db:1: OCI repository error: 1 error occurred: * Get "https://127.0.0.1:9/v2/": dial tcp 127.0.0.1:9: connect: connection refused');
    assert.equal(javaDbFailure("FATAL run error: image scan error: unable to find the specified image"), undefined);
    assert.equal(javaDbFailure(""), undefined);
  });

  test("online, the first failed fetch earns one retry without fetching, and later scans skip the fetch", () => {
    const fetch = new JavaDbFetch(false);
    assert.equal(fetch.skipUpdate, false);
    assert.equal(fetch.failed(), true);
    assert.equal(fetch.skipUpdate, true);
    assert.equal(fetch.failed(), false, "a failure without fetching is final");
  });

  test("offline, trivy never fetches it, so a failure is final at once", () => {
    const fetch = new JavaDbFetch(true);
    assert.equal(fetch.skipUpdate, true);
    assert.equal(fetch.failed(), false);
  });
});
