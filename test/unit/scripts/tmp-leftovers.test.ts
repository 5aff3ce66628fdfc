import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { newTmpEntries, projectTmpEntries } from "../../../scripts/tmp-leftovers.ts";

const root = mkdtempSync(join(tmpdir(), "ets-unit-leftovers-"));
after(() => {
  rmSync(root, { recursive: true, force: true });
});

test("a run's leftovers are the project's entries that were not there before it", () => {
  mkdirSync(join(root, "ets-ground-old"));
  writeFileSync(join(root, "someone-elses-file"), "");
  const before = projectTmpEntries(root);
  assert.deepEqual([...before], ["ets-ground-old"]);

  mkdirSync(join(root, "ets-worker-new"));
  writeFileSync(join(root, "eraser-trivy-scan"), "");
  mkdirSync(join(root, "tmp.other-tool"));
  assert.deepEqual(newTmpEntries(before, root), ["eraser-trivy-scan", "ets-worker-new"]);
});
