// The worker as its image runs it: the Dockerfile's flags, and the launcher's V8 code cache.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { workerNodeFlags } from "../../../src/worker/node-flags.ts";
import { ensureWorkerBuilt, workerBinary } from "../../harness/worker-run.ts";

const repoRoot = join(import.meta.dirname, "..", "..", "..");

function dockerEntrypoint(stage: string): string[] {
  const dockerfile = readFileSync(join(repoRoot, "Dockerfile"), "utf8");
  const section = dockerfile.split(/^FROM /m).find((s) => new RegExp(`^\\S+ AS ${stage}\\n`).test(s));
  const entrypoint = section?.split("\n").find((line) => line.startsWith("ENTRYPOINT"));
  assert.ok(entrypoint !== undefined, `the Dockerfile's ${stage} stage has no ENTRYPOINT`);
  return JSON.parse(entrypoint.slice("ENTRYPOINT".length)) as string[];
}

describe("the worker launcher", () => {
  test("the worker image runs node with exactly the flags the build warms its code cache with", () => {
    assert.deepEqual(dockerEntrypoint("worker"), ["node", ...workerNodeFlags, "/app/dist/eraser-worker"]);
  });

  test("a worker started with those flags compiles nothing: V8 accepts the build's code cache for every module it loads", () => {
    ensureWorkerBuilt();
    const scratch = mkdtempSync(join(tmpdir(), "ets-launcher-"));
    try {
      writeFileSync(join(scratch, "list.json"), "[]");
      const run = spawnSync(
        process.execPath,
        [...workerNodeFlags, workerBinary, "remover", `--runtime-endpoint=unix://${scratch}/missing.sock`, `--imagelist=${scratch}/list.json`, `--termination-log=${scratch}/result`],
        { encoding: "utf8", env: { ...process.env, NODE_DEBUG_NATIVE: "COMPILE_CACHE" } },
      );
      const loaded = run.stderr.split("\n").filter((line) => /V8 code cache for ESM .* was (accepted|rejected)/.test(line) || line.includes("no cache file found"));
      assert.ok(loaded.length >= 4, `expected the remover to load several cached modules:\n${run.stderr.slice(0, 2000)}`);
      assert.deepEqual(loaded.filter((line) => !line.includes("was accepted")), []);
      assert.match(readFileSync(join(scratch, "result"), "utf8"), /cannot be reached/);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
