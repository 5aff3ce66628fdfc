// The worker's start-up budget (120 ms from process start to the first CRI reply) leaves little
// room for V8 to parse and compile the bundle. Node's module compile cache stores V8 code cache
// on disk; the build fills it by running the worker's start-up paths, and the launcher points
// Node at it. The cache is "portable" (keyed by paths relative to it), so it stays valid when
// dist/ is copied into an image, and V8 ignores it when the Node version or flags differ.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { workerNodeFlags } from "../src/worker/node-flags.ts";

export const codeCacheDir = ".code-cache";

export const workerLauncher = `#!/usr/bin/env node
// eraser-worker: loads the bundle with its V8 code cache (made by \`npm run build\`).
import { enableCompileCache } from "node:module";
enableCompileCache({ directory: new URL("./eraser-worker.d/${codeCacheDir}", import.meta.url).pathname, portable: true });
await import("./eraser-worker.d/main.mjs");
`;

function run(args: readonly string[]): void {
  spawnSync(process.execPath, [...workerNodeFlags, ...args], { stdio: "ignore", timeout: 60_000 });
}

/** Fills dist/eraser-worker.d/.code-cache by running what each container runs at start-up. */
export function warmWorkerCodeCache(distDir: string): void {
  const launcher = resolve(distDir, "eraser-worker");
  const bundleDir = resolve(distDir, "eraser-worker.d");
  const scratch = mkdtempSync(join(tmpdir(), "eraser-ts-warm-"));
  try {
    const list = join(scratch, "list.json");
    writeFileSync(list, "[]");
    // A socket that does not exist: start-up runs up to the CRI connection and stops there.
    const common = [`--runtime-endpoint=unix://${join(scratch, "missing.sock")}`, `--termination-log=${join(scratch, "result")}`];
    run([launcher, "remover", `--imagelist=${list}`, ...common]);
    run([launcher, "collector", `--shared-dir=${scratch}`, ...common]);
    // Then every other module of the bundle, loaded without running.
    const others = readdirSync(bundleDir).filter((f) => f.endsWith(".mjs") && f !== "main.mjs");
    const imports = others.map((f) => `await import(${JSON.stringify(join(bundleDir, f))});`).join("");
    const enable = `(await import("node:module")).enableCompileCache({ directory: ${JSON.stringify(join(bundleDir, codeCacheDir))}, portable: true });`;
    run(["--input-type=module", "-e", enable + imports]);
    // Node writes the cache for its own user only; the image runs the worker as another.
    const cacheRoot = join(bundleDir, codeCacheDir);
    chmodSync(cacheRoot, 0o755);
    for (const entry of readdirSync(cacheRoot, { recursive: true, withFileTypes: true })) {
      chmodSync(join(entry.parentPath, entry.name), entry.isDirectory() ? 0o755 : 0o644);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
