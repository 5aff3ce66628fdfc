// Bundles the two programs into dist/: the worker and the manager. A bundle starts faster and uses
// less memory than a tree of modules (ENVIRONMENT.md). The worker is one CommonJS bundle per
// subcommand, so each container loads only its own code: dist/eraser-worker is a launcher for
// dist/eraser-worker.d/<subcommand>.cjs, each with its V8 code cache (docs/adr/0006).
import { build, type BuildOptions } from "esbuild";
import { chmodSync, rmSync, writeFileSync } from "node:fs";
import { subcommands } from "../src/worker/args.ts";
import { warmWorkerCodeCache, workerLauncher } from "./worker-code-cache.ts";

// Bundled CommonJS dependencies still call require(); give ESM output one.
const requireShim = "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);";
const common: BuildOptions = {
  bundle: true,
  platform: "node",
  target: "node24",
  format: "esm",
  minify: true,
  sourcemap: "linked",
  legalComments: "none",
  logLevel: "warning",
};

rmSync("dist", { recursive: true, force: true });

await build({
  ...common,
  format: "cjs",
  entryPoints: Object.fromEntries(subcommands.map((command) => [command, `src/worker/entries/${command}.ts`])),
  outdir: "dist/eraser-worker.d",
  outExtension: { ".js": ".cjs" },
  // grpc-js requires proto-loader only for channelz and ORCA; the stub keeps protobufjs out.
  alias: { "@grpc/proto-loader": "./src/cri/proto-loader-stub.ts" },
});
writeFileSync("dist/eraser-worker", workerLauncher);
chmodSync("dist/eraser-worker", 0o755);
warmWorkerCodeCache("dist");
console.log("build: dist/eraser-worker");

await build({ ...common, entryPoints: ["src/manager/main.ts"], outfile: "dist/eraser-manager", banner: { js: `#!/usr/bin/env node\n${requireShim}` } });
chmodSync("dist/eraser-manager", 0o755);
console.log("build: dist/eraser-manager");
