// The remover's file of the images the node's pods name after the scan (ADR 0023): a downwardAPI
// file that reads "" until the manager sets the annotation.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readPodImagesFile, waitForPodImagesFile } from "../../../src/worker/pod-images-file.ts";

const dir = mkdtempSync("/tmp/ets-unit-podimages-");
after(() => {
  rmSync(dir, { recursive: true, force: true });
});
let n = 0;
const file = (content?: string): string => {
  const path = join(dir, `pod-images-${n++}`);
  if (content !== undefined) writeFileSync(path, content);
  return path;
};

describe("the images after the scan, as the remover reads them", () => {
  test("a missing or empty file is not set yet; a JSON array is the list, an empty one included", () => {
    assert.equal(readPodImagesFile(file()), undefined);
    assert.equal(readPodImagesFile(file("")), undefined);
    assert.equal(readPodImagesFile(file("\n")), undefined);
    assert.deepEqual(readPodImagesFile(file('["docker.io/library/app:2","registry.example/x@sha256:' + "a".repeat(64) + '"]')), ["docker.io/library/app:2", "registry.example/x@sha256:" + "a".repeat(64)]);
    assert.deepEqual(readPodImagesFile(file("[]")), []);
  });

  test("anything else fails at once and names the annotation: the node removes nothing", () => {
    assert.throws(() => readPodImagesFile(file("app:2")), /eraser\.sh\/pod-images-after-scan\) is not JSON: .*removing nothing/);
    assert.throws(() => readPodImagesFile(file('{"images":[]}')), /must be a JSON array of image names/);
    assert.throws(() => readPodImagesFile(file('["ok",""]')), /must be a JSON array of image names/);
  });

  test("the wait ends when the kubelet writes the file", async () => {
    const path = file("");
    setTimeout(() => {
      writeFileSync(path, '["docker.io/library/late:1"]');
    }, 100);
    assert.deepEqual(await waitForPodImagesFile(path, { timeoutMs: 5000, pollMs: 10 }), ["docker.io/library/late:1"]);
  });

  test("past its timeout the wait fails, saying what was missing", async () => {
    await assert.rejects(waitForPodImagesFile(file(""), { timeoutMs: 50, pollMs: 10 }), /the manager did not say within 0 s which images the node's pods name after the scan \(annotation eraser\.sh\/pod-images-after-scan, file .*\); removing nothing/);
  });
});
