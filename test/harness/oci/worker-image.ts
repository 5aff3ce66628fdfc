// The worker images, built here without a Docker engine: this machine's Node 24 binary with the
// shared libraries it links (from ldd), and dist/ (bundle and V8 code cache); the scanner's image
// adds the test ground's trivy. The entrypoint is the Dockerfile's worker stage: node, the
// worker's flags, the launcher.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { workerNodeFlags } from "../../../src/worker/node-flags.ts";
import { bin, repoRoot } from "../paths.ts";
import type { FileContent, ImageSpec } from "./image.ts";

const nodeInImage = "/usr/local/bin/node";

/** The libraries the node binary loads, as absolute paths on this machine (ldd's "=> path" and the loader). */
function sharedLibraries(binary: string): string[] {
  const out = execFileSync("ldd", [binary], { encoding: "utf8" });
  const paths = [...out.matchAll(/(?:=>\s+)?(\/\S+)\s+\(0x/g)].map((m) => m[1] ?? "");
  return paths.filter((p) => p !== "");
}

function executable(path: string): FileContent {
  return { mode: 0o755, content: readFileSync(realpathSync(path)) };
}

function distFiles(): Record<string, FileContent> {
  const dist = join(repoRoot, "dist");
  const files: Record<string, FileContent> = {};
  for (const entry of readdirSync(dist, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || entry.name.endsWith(".map")) continue;
    const path = join(entry.parentPath, entry.name);
    files[`/app/dist/${relative(dist, path)}`] = { mode: statSync(path).mode & 0o777, content: readFileSync(path) };
  }
  return files;
}

/** The worker image; `withTrivy` adds trivy at /usr/local/bin/trivy (the worker-trivy target). */
export function workerImage(ref: string, options: { withTrivy?: boolean } = {}): ImageSpec {
  const node = realpathSync(process.execPath);
  const files: Record<string, FileContent> = { [nodeInImage]: executable(node), "/tmp/.keep": "", ...distFiles() };
  const binaries = [node];
  if (options.withTrivy === true) {
    files["/usr/local/bin/trivy"] = executable(bin.trivy);
    binaries.push(bin.trivy);
  }
  for (const lib of binaries.flatMap(sharedLibraries)) files[lib] = executable(lib);
  return {
    ref,
    files,
    entrypoint: [nodeInImage, ...workerNodeFlags, "/app/dist/eraser-worker"],
    env: ["PATH=/usr/local/bin:/usr/bin:/bin"],
  };
}
