// The worker as its image runs it: the Dockerfile's flags, and the launcher's V8 code caches.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { workerNodeFlags } from "../../../src/worker/node-flags.ts";
import { codeCacheEnv } from "../../../scripts/worker-code-cache.ts";
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

  test("the images run the Node version the build makes the worker's code caches with", () => {
    // V8 rejects a code cache from another Node version: the worker would still run, ~16 ms slower.
    const lock = JSON.parse(readFileSync(join(repoRoot, "package-lock.json"), "utf8")) as { packages: Record<string, { version?: string } | undefined> };
    const buildNode = lock.packages["node_modules/node"]?.version;
    assert.ok(buildNode !== undefined, "package-lock.json pins no node runtime");
    assert.match(readFileSync(join(repoRoot, "Dockerfile"), "utf8"), new RegExp(`^FROM node:${buildNode.replaceAll(".", "\\.")}-slim AS base$`, "m"));
  });

  test("the worker starts a fixed number of V8 platform threads, not one per CPU of the node", () => {
    // Node reads --v8-pool-size=0 as "one thread per CPU but one": on a big node the worker would
    // start dozens of threads, and each that joins a collection raises the peak memory.
    const pool = workerNodeFlags.find((flag) => flag.startsWith("--v8-pool-size="));
    assert.ok(pool !== undefined, "the worker's flags must pin the V8 platform's thread pool");
    const threads = Number(pool.slice("--v8-pool-size=".length));
    assert.ok(Number.isInteger(threads) && threads >= 1, `${pool} sizes the pool from the node's CPUs; pin it to a positive number`);
    const listThreads = `const fs = require("node:fs"); console.log(fs.readdirSync("/proc/self/task").map((t) => fs.readFileSync("/proc/self/task/" + t + "/comm", "utf8").trim()).join("\\n"));`;
    const run = spawnSync(process.execPath, [...workerNodeFlags, "-e", listThreads], { encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.split("\n").filter((name) => name === "V8Worker").length, threads);
  });

  test("every subcommand starts from the build's V8 code cache, which V8 accepts under those flags", () => {
    ensureWorkerBuilt();
    const scratch = mkdtempSync(join(tmpdir(), "ets-launcher-"));
    try {
      writeFileSync(join(scratch, "list.json"), "[]");
      const common = [`--runtime-endpoint=unix://${scratch}/missing.sock`, `--termination-log=${scratch}/result`, `--shared-dir=${scratch}`, "--wait-timeout=1"];
      const startUps = { remover: [`--imagelist=${scratch}/list.json`], collector: [], "trivy-scanner": [], clean: ["--prune", "--dry-run"] };
      for (const [command, args] of Object.entries(startUps)) {
        const run = spawnSync(process.execPath, [...workerNodeFlags, workerBinary, command, ...args, ...common], {
          encoding: "utf8",
          env: { ...process.env, [codeCacheEnv]: "report" },
        });
        assert.match(run.stderr, new RegExp(`^eraser-worker code cache ${command}: accepted$`, "m"), run.stderr.slice(0, 2000));
      }
      assert.match(readFileSync(join(scratch, "result"), "utf8"), /cannot be reached/);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  test("an unknown subcommand gets the usage and exit code 2", () => {
    ensureWorkerBuilt();
    const run = spawnSync(process.execPath, [...workerNodeFlags, workerBinary, "sweep"], { encoding: "utf8" });
    assert.equal(run.status, 2);
    assert.match(run.stderr, /unknown command "sweep"; expected one of collector, trivy-scanner, remover, clean/);
  });

  test("the worker's bundle leaves out protobufjs, which grpc-js loads only to serve channelz and ORCA", () => {
    ensureWorkerBuilt();
    const bundleDir = join(dirname(workerBinary), "eraser-worker.d");
    const bundled = readdirSync(bundleDir)
      .filter((file) => file.endsWith(".cjs.map"))
      .flatMap((file) => (JSON.parse(readFileSync(join(bundleDir, file), "utf8")) as { sources: string[] }).sources);
    assert.ok(bundled.some((source) => source.includes("node_modules/@grpc/grpc-js/")), "expected grpc-js in the bundle");
    assert.deepEqual(bundled.filter((source) => /node_modules\/(protobufjs|@grpc\/proto-loader)\//.test(source)), []);
  });
});
