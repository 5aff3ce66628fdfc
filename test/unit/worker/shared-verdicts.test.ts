import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ImageRecord } from "../../../src/images/record.ts";
import { captureLog } from "../../harness/log-capture.ts";
import { readSharedVerdicts, reuseVerdicts } from "../../../src/worker/scanner/shared-verdicts.ts";

const imageId = (seed: string): string => `sha256:${createHash("sha256").update(seed).digest("hex")}`;
const image = (seed: string): ImageRecord => ({ id: imageId(seed), repoTags: [`docker.io/library/${seed}:1`], repoDigests: [], pinned: false, sizeBytes: 1 });

describe("the scanner's use of shared verdicts", () => {
  const dir = mkdtempSync("/tmp/ets-unit-verdicts-");
  const file = join(dir, "verdicts.json");
  const verdicts = { v: 1, config: "fp", images: { [imageId("alpine")]: { flagged: true, node: "n1" }, [imageId("nginx")]: { flagged: false, node: "n2" } } };

  test("covered images are settled by the verdict, each with a decision line naming the node; the rest are scanned", () => {
    writeFileSync(file, JSON.stringify(verdicts));
    const log = captureLog(dir);
    const known = readSharedVerdicts(file, "fp", log.logger);
    const reuse = reuseVerdicts([image("alpine"), image("nginx"), image("redis")], known, log.logger);
    assert.deepEqual(reuse.flagged.map((i) => i.id), [imageId("alpine")]);
    assert.deepEqual(reuse.toScan.map((i) => i.id), [imageId("redis")]);
    const decisions = log.lines().map((l) => [l["ref"], l["decision"], l["scannedOn"]]);
    assert.deepEqual(decisions, [
      ["docker.io/library/alpine:1", "flagged", "n1"],
      ["docker.io/library/nginx:1", "kept", "n2"],
    ]);
  });

  test("any doubt about the file means scanning everything, with a warning that says why", () => {
    const cases: [string, string | undefined, RegExp][] = [
      ["missing", undefined, /the file is missing/],
      ["not JSON", "{", /not JSON/],
      ["not a list", JSON.stringify({ v: 1, config: "fp", images: { "sha256:short": { flagged: true, node: "n" } } }), /not a verdict list.*images\["sha256:short"\]/s],
      ["other settings", JSON.stringify({ ...verdicts, config: "other" }), /other scanner settings \(other, here fp\)/],
    ];
    for (const [name, body, why] of cases) {
      rmSync(file, { force: true });
      if (body !== undefined) writeFileSync(file, body);
      const log = captureLog(dir);
      const known = readSharedVerdicts(file, "fp", log.logger);
      assert.deepEqual(known, {}, name);
      const [warning] = log.lines();
      assert.equal(warning?.["level"], "warn", name);
      assert.match(String(warning?.["msg"]), why, name);
      assert.match(String(warning?.["msg"]), /scanning every image here/, name);
    }
  });

  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
});
