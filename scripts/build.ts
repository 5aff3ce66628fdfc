// Bundles the two programs into dist/: the worker and the manager. A bundle starts faster and uses
// less memory than a tree of modules (ENVIRONMENT.md). The worker is split per subcommand so each
// container loads only its own code: dist/eraser-worker is a launcher for dist/eraser-worker.d/.
import { build } from "esbuild";
import { chmodSync, existsSync, rmSync, writeFileSync } from "node:fs";

const banner = "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);";

rmSync("dist", { recursive: true, force: true });

await build({
  entryPoints: { main: "src/worker/main.ts" },
  outdir: "dist/eraser-worker.d",
  outExtension: { ".js": ".mjs" },
  bundle: true,
  splitting: true,
  platform: "node",
  target: "node24",
  format: "esm",
  minify: true,
  sourcemap: "linked",
  legalComments: "none",
  banner: { js: banner },
  logLevel: "warning",
});
writeFileSync("dist/eraser-worker", "#!/usr/bin/env node\nimport './eraser-worker.d/main.mjs';\n");
chmodSync("dist/eraser-worker", 0o755);
console.log("build: dist/eraser-worker");

const entryPoints = [{ in: "src/manager/main.ts", out: "eraser-manager" }].filter((entry) => existsSync(entry.in));
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
