// The test ground's helm (scripts/build-binaries.sh), with its cache, config and data under a
// scratch home so that a developer's own helm set-up is neither read nor changed.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { bin } from "./paths.ts";

export interface HelmResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export function helm(home: string, args: readonly string[]): Promise<HelmResult> {
  const env = { ...process.env, HELM_CACHE_HOME: join(home, "cache"), HELM_CONFIG_HOME: join(home, "config"), HELM_DATA_HOME: join(home, "data") };
  return new Promise((resolve) => {
    execFile(bin.helm, args, { env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ exitCode: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stdout, stderr });
    });
  });
}
