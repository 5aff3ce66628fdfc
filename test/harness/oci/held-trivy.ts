// A trivy that a test can hold mid-scan: the worker-trivy image with the real trivy moved to
// trivy-real and this wrapper in its place. While `<cache-dir>/hold-scans` exists (the scanner's
// cache dir is a hostPath, so the test creates it on the host), each `trivy image` call waits, for
// 120 s at most, and then runs the real trivy with the same arguments. Used to bind a pod to the
// node while its scan is under way (ADR 0023).
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const holdFile = "hold-scans";

/** The wrapper, run by the image's own node (CommonJS: no package.json beside it). */
export const heldTrivyScript = `#!/usr/local/bin/node
const { existsSync } = require("node:fs");
const { spawnSync } = require("node:child_process");
const args = process.argv.slice(2);
const at = args.indexOf("--cache-dir");
const hold = at >= 0 && args[0] === "image" ? args[at + 1] + "/${holdFile}" : undefined;
const until = Date.now() + 120000;
while (hold !== undefined && existsSync(hold) && Date.now() < until) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
const run = spawnSync("/usr/local/bin/trivy-real", args, { stdio: "inherit" });
process.exit(run.status ?? 1);
`;

export function holdScans(cacheDir: string): void {
  writeFileSync(join(cacheDir, holdFile), "");
}

export function releaseScans(cacheDir: string): void {
  rmSync(join(cacheDir, holdFile), { force: true });
}
