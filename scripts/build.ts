// Bundles the two programs into dist/: the worker and the manager. A bundle starts faster and uses
// less memory than a tree of modules (ENVIRONMENT.md). The worker is split per subcommand so each
// container loads only its own code: dist/eraser-worker is a launcher for dist/eraser-worker.d/,
// which also carries the V8 code cache of its modules (docs/adr/0005).
import { build, type BuildOptions } from "esbuild";
import { chmodSync, rmSync, writeFileSync } from "node:fs";
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
  entryPoints: { main: "src/worker/main.ts" },
  outdir: "dist/eraser-worker.d",
  outExtension: { ".js": ".mjs" },
  splitting: true,
  // grpc-js requires proto-loader only for channelz and ORCA; the stub keeps protobufjs out.
  alias: { "@grpc/proto-loader": "./src/cri/proto-loader-stub.ts" },
  banner: { js: requireShim },
});
writeFileSync("dist/eraser-worker", workerLauncher);
chmodSync("dist/eraser-worker", 0o755);
warmWorkerCodeCache("dist");
console.log("build: dist/eraser-worker");

await build({ ...common, entryPoints: ["src/manager/main.ts"], outfile: "dist/eraser-manager", banner: { js: `#!/usr/bin/env node\n${requireShim}` } });
chmodSync("dist/eraser-manager", 0o755);
console.log("build: dist/eraser-manager");
