// The operator's images, built here without a Docker engine, as the Dockerfile's stages make them:
// this machine's Node 24 binary with the shared libraries it links (from ldd), and dist/ (bundles
// and V8 code caches). The manager's runs `node dist/eraser-manager` as user 65532; the worker's
// runs node with the worker's flags and the launcher, as root; the scanner's adds the test
// ground's trivy.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { workerNodeFlags } from "../../../src/worker/node-flags.ts";
import { bin, repoRoot } from "../paths.ts";
import { heldTrivyScript } from "./held-trivy.ts";
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

/** Node, the libraries it and `extraBinaries` link, and dist/: what every stage copies. */
function nodeRuntime(extraBinaries: Record<string, string> = {}): Record<string, FileContent> {
  const node = realpathSync(process.execPath);
  const files: Record<string, FileContent> = { [nodeInImage]: executable(node), "/tmp/.keep": "", ...distFiles() };
  for (const [inImage, onHost] of Object.entries(extraBinaries)) files[inImage] = executable(onHost);
  for (const lib of [node, ...Object.values(extraBinaries)].flatMap(sharedLibraries)) files[lib] = executable(lib);
  return files;
}

const imagePath = ["PATH=/usr/local/bin:/usr/bin:/bin"];

/** The manager image (the Dockerfile's manager target). */
export function managerImage(ref: string): ImageSpec {
  return { ref, files: nodeRuntime(), entrypoint: [nodeInImage, "/app/dist/eraser-manager"], env: imagePath, user: "65532:65532" };
}

/**
 * The worker image; `withTrivy` adds trivy at /usr/local/bin/trivy (the worker-trivy target), and
 * `"held"` puts it behind a wrapper a test can hold mid-scan (held-trivy.ts).
 */
export function workerImage(ref: string, options: { withTrivy?: boolean | "held" } = {}): ImageSpec {
  const trivy = options.withTrivy === "held" ? { "/usr/local/bin/trivy-real": bin.trivy } : options.withTrivy === true ? { "/usr/local/bin/trivy": bin.trivy } : {};
  const wrapper: Record<string, FileContent> = options.withTrivy === "held" ? { "/usr/local/bin/trivy": { mode: 0o755, content: Buffer.from(heldTrivyScript) } } : {};
  return {
    ref,
    files: { ...nodeRuntime(trivy), ...wrapper },
    entrypoint: [nodeInImage, ...workerNodeFlags, "/app/dist/eraser-worker"],
    env: imagePath,
  };
}
