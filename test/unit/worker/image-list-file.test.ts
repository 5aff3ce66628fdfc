// The remover's manual-mode list file, as the job's ConfigMap mounts it: JSON text, or that text
// gzipped for a list too large for a ConfigMap as text (ADR 0025).
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { readImageListFile } from "../../../src/worker/image-list-file.ts";

const dir = mkdtempSync("/tmp/ets-unit-imagelist-");
after(() => {
  rmSync(dir, { recursive: true, force: true });
});
let n = 0;
const file = (content: string | Buffer): string => {
  const path = join(dir, `images-${n++}`);
  writeFileSync(path, content);
  return path;
};

describe("the image list file", () => {
  const images = ["docker.io/library/alpine:3.7.3", "sha256:" + "a".repeat(64)];

  test("JSON text is read as it is", () => {
    assert.deepEqual(readImageListFile(file(JSON.stringify(images))), images);
  });

  test("gzipped JSON is unpacked to the same list", () => {
    assert.deepEqual(readImageListFile(file(gzipSync(JSON.stringify(images)))), images);
  });

  test("a gzip that is cut short names the file and the problem, and yields no list", () => {
    const cut = gzipSync(JSON.stringify(images)).subarray(0, 12);
    const path = file(cut);
    assert.throws(() => readImageListFile(path), new RegExp(`^Error: image list ${path} is gzipped but cannot be unpacked: `));
  });

  test("a missing file, text that is not JSON, and JSON that is not a list of names are each named", () => {
    const missing = join(dir, "absent");
    assert.throws(() => readImageListFile(missing), new RegExp(`^Error: image list ${missing} cannot be read: ENOENT`));
    const notJson = file("[docker.io/library/alpine]");
    assert.throws(() => readImageListFile(notJson), new RegExp(`^Error: image list ${notJson} cannot be read as JSON: `));
    const notNames = file(gzipSync('["alpine", ""]'));
    assert.throws(() => readImageListFile(notNames), new RegExp(`^Error: image list ${notNames} must be a JSON array of non-empty strings$`));
  });
});
