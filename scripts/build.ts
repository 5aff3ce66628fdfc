// Bundles the two programs into dist/: the worker (one file, every subcommand) and the manager.
// A single bundled file starts faster and uses less memory than a tree of modules (ENVIRONMENT.md).
import { build } from "esbuild";
import { chmodSync, existsSync, rmSync } from "node:fs";

const entryPoints = [
  { in: "src/worker/main.ts", out: "eraser-worker" },
  { in: "src/manager/main.ts", out: "eraser-manager" },
].filter((entry) => existsSync(entry.in));

rmSync("dist", { recursive: true, force: true });
for (const entry of entryPoints) {
  const outfile = `dist/${entry.out}`;
  await build({
    entryPoints: [entry.in],
    outfile,
    bundle: true,
    platform: "node",
    target: "node24",
    format: "esm",
    minify: true,
    sourcemap: "linked",
    legalComments: "none",
    banner: {
      js: "#!/usr/bin/env node\nimport { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
    logLevel: "warning",
  });
  chmodSync(outfile, 0o755);
  console.log(`build: ${outfile}`);
}
