// The worker's start-up budget (120 ms from process start to the first CRI reply) leaves little
// room for V8 to parse and compile its bundle. Each subcommand is one CommonJS bundle, and the
// launcher runs it through vm.Script with a V8 code cache that the build takes *after* running the
// subcommand's start-up, so it holds every function start-up calls, not only the top level (which
// is all Node's module compile cache keeps: it serialises right after compiling). V8 checks the
// cache against the source, the Node version and the flags, and ignores it when they differ
// (docs/adr/0006).
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { subcommands } from "../src/worker/args.ts";
import { writeFailure } from "../src/worker/handoff.ts";
import { workerNodeFlags } from "../src/worker/node-flags.ts";

/** Set to `write` to save the cache at exit (the build), or `report` to print whether V8 took it. */
export const codeCacheEnv = "ERASER_WORKER_CODE_CACHE";

// The launcher must stay byte-for-byte stable in how it wraps a bundle: V8 rejects a cache made
// for a different source string.
export const workerLauncher = `#!/usr/bin/env node
// eraser-worker: runs the subcommand's bundle from eraser-worker.d/ with the V8 code cache that
// \`npm run build\` made for it (docs/adr/0006). An unknown subcommand runs the remover's bundle,
// which prints the usage.
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { Script } from "node:vm";

const bundles = ${JSON.stringify(subcommands)};
const name = bundles.includes(process.argv[2]) ? process.argv[2] : "remover";
const dir = fileURLToPath(new URL("./eraser-worker.d/", import.meta.url));
const file = \`\${dir}\${name}.cjs\`;

// In a function, so the cache's buffer is garbage once V8 has read it (~0.5 MiB of peak).
function compile() {
  const cacheFile = \`\${file}.v8-cache\`;
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const source = \`(function (exports, require, module, __filename, __dirname) {\${readFileSync(file, "utf8")}\\n})\`;
  const script = new Script(source, { filename: file, cachedData });
  const mode = process.env.${codeCacheEnv};
  if (mode === "write") process.once("exit", () => writeFileSync(cacheFile, script.createCachedData()));
  if (mode === "report") {
    const verdict = cachedData === undefined ? "missing" : script.cachedDataRejected ? "rejected" : "accepted";
    process.stderr.write(\`eraser-worker code cache \${name}: \${verdict}\\n\`);
  }
  return script;
}

const module = { exports: {} };
compile().runInThisContext()(module.exports, createRequire(file), module, file, dir);
`;

/** Fills dist/eraser-worker.d/<subcommand>.cjs.v8-cache by running each subcommand's start-up. */
export function warmWorkerCodeCache(distDir: string): void {
  const launcher = resolve(distDir, "eraser-worker");
  const scratch = mkdtempSync(join(tmpdir(), "eraser-ts-warm-"));
  try {
    const list = join(scratch, "list.json");
    writeFileSync(list, "[]");
    // The scanner waits for the collector; a failure marker lets it start up and stop at once.
    const shared = join(scratch, "shared");
    mkdirSync(shared);
    writeFailure(shared, "collector", "code cache warm-up");
    // A socket that does not exist: start-up runs up to the CRI connection and stops there.
    const common = [`--runtime-endpoint=unix://${join(scratch, "missing.sock")}`, `--termination-log=${join(scratch, "result")}`, `--shared-dir=${shared}`];
    const startUps: Record<(typeof subcommands)[number], string[]> = {
      remover: [`--imagelist=${list}`],
      collector: [],
      "trivy-scanner": ["--wait-timeout=1"],
      clean: ["--prune", "--dry-run"],
    };
    for (const [command, args] of Object.entries(startUps)) {
      spawnSync(process.execPath, [...workerNodeFlags, launcher, command, ...args, ...common], {
        stdio: "ignore",
        timeout: 60_000,
        env: { ...process.env, [codeCacheEnv]: "write" },
      });
      // Readable by any user the image runs the worker as, whatever the build's umask.
      chmodSync(resolve(distDir, "eraser-worker.d", `${command}.cjs.v8-cache`), 0o644);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
