// trivy for tests: the binary the test ground builds, and an offline vulnerability DB loaded from
// trivy's own fixtures (../shared/fixtures/trivy-db), so no scan ever reaches a registry.
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { bin, sharedDir } from "./paths.ts";

export const trivyBinary = bin.trivy;

/** Writes <cacheDir>/db/trivy.db and metadata.json from the fixture YAML files. */
export function prepareTrivyDb(cacheDir: string): void {
  const fixtures = join(sharedDir, "fixtures", "trivy-db");
  const files = readdirSync(fixtures).filter((f) => f.endsWith(".yaml")).map((f) => join(fixtures, f));
  execFileSync(bin.trivyDbLoader, [cacheDir, ...files], { stdio: ["ignore", "ignore", "pipe"] });
}
