// Against real directories laid out the way the kubelet mounts ConfigMaps (symlinks into ..data).
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ExclusionListError, parseExclusionList, readExclusionDirectory } from "../../../src/exclusions/read.ts";

const root = mkdtempSync(join(tmpdir(), "ets-unit-exclusions-"));
after(() => {
  rmSync(root, { recursive: true, force: true });
});
let counter = 0;

/** Mounts a ConfigMap the kubelet's way: keys are symlinks into a timestamped ..data directory. */
function mountConfigMap(parent: string, name: string, data: Record<string, string>): void {
  const dir = join(parent, name);
  const stamp = join(dir, "..2026_11_23_01_00_00.123");
  mkdirSync(stamp, { recursive: true });
  for (const [key, value] of Object.entries(data)) writeFileSync(join(stamp, key), value);
  symlinkSync("..2026_11_23_01_00_00.123", join(dir, "..data"));
  for (const key of Object.keys(data)) symlinkSync(join("..data", key), join(dir, key));
}

function freshDir(): string {
  const dir = join(root, `case-${++counter}`);
  mkdirSync(dir);
  return dir;
}

async function failure(dir: string): Promise<ExclusionListError> {
  try {
    await readExclusionDirectory(dir);
  } catch (error) {
    assert.ok(error instanceof ExclusionListError, `expected ExclusionListError, got ${String(error)}`);
    return error;
  }
  assert.fail("expected the exclusion directory to be refused");
}

describe("exclusion lists", () => {
  test("reads every *.json key of every mounted ConfigMap, skipping ..data, de-duplicated", async () => {
    const dir = freshDir();
    mountConfigMap(dir, "eraser-system-exclusion", { "exclude.json": '{"excluded": ["docker.io/library/*", "nginx:*"]}' });
    mountConfigMap(dir, "team-a", { "a.json": '{"excluded": ["nginx:*", "quay.io/org/app:1"]}', "README": "not a list" });
    assert.deepEqual((await readExclusionDirectory(dir)).sort(), ["docker.io/library/*", "nginx:*", "quay.io/org/app:1"]);
  });

  test("json files directly in the directory count too", async () => {
    const dir = freshDir();
    writeFileSync(join(dir, "local.json"), '{"excluded": ["busybox:1.0"]}');
    assert.deepEqual(await readExclusionDirectory(dir), ["busybox:1.0"]);
  });

  test("an empty list excludes nothing and is fine", async () => {
    const dir = freshDir();
    mountConfigMap(dir, "empty", { "e.json": '{"excluded": []}' });
    assert.deepEqual(await readExclusionDirectory(dir), []);
  });

  const broken: [string, string, RegExp][] = [
    ["bad JSON", '{"excluded": [', /not valid JSON/],
    ["wrong shape", '["nginx"]', /must be \{"excluded"/],
    ["wrong key", '{"exclude": ["nginx"]}', /must be \{"excluded"/],
    ["non-string entry", '{"excluded": [42]}', /must be \{"excluded"/],
    ["empty string", '{"excluded": [""]}', /must not be empty/],
    ["malformed pattern", '{"excluded": ["Nginx:Latest"]}', /lowercase/],
    ["prune marker as a pattern", '{"excluded": ["*"]}', /prune marker/],
  ];
  for (const [what, body, reason] of broken) {
    test(`${what} fails closed, naming the file`, async () => {
      const dir = freshDir();
      mountConfigMap(dir, "good", { "ok.json": '{"excluded": ["nginx:*"]}' });
      mountConfigMap(dir, "broken", { "list.json": body });
      const error = await failure(dir);
      assert.match(error.message, /broken\/list\.json/);
      assert.match(error.message, reason);
      assert.match(error.message, /removing nothing/);
    });
  }

  test("a missing directory fails closed (the manager mounts it only when lists exist)", async () => {
    const error = await failure(join(root, "does-not-exist"));
    assert.match(error.message, /does-not-exist: cannot be listed/);
  });

  test("a dangling key symlink fails closed", async () => {
    const dir = freshDir();
    mkdirSync(join(dir, "cm"));
    symlinkSync(join("..data", "gone.json"), join(dir, "cm", "gone.json"));
    writeFileSync(join(dir, "cm", "x"), "");
    const error = await failure(dir);
    assert.match(error.message, /gone\.json: cannot be read/);
  });

  test("parseExclusionList names its source", () => {
    assert.throws(() => parseExclusionList("nope", "configmap team-b key x.json"), /configmap team-b key x\.json: is not valid JSON/);
  });
});
