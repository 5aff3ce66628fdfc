// trivy for tests: the binary the test ground builds, and an offline vulnerability DB loaded from
// trivy's own fixtures (../shared/fixtures/trivy-db), so no scan ever reaches a registry.
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { bin, sharedDir } from "./paths.ts";

export const trivyBinary = bin.trivy;

/** Writes <cacheDir>/db/trivy.db and metadata.json from the fixture YAML files. */
export function prepareTrivyDb(cacheDir: string): void {
  const fixtures = join(sharedDir, "fixtures", "trivy-db");
  const files = readdirSync(fixtures).filter((f) => f.endsWith(".yaml")).map((f) => join(fixtures, f));
  execFileSync(bin.trivyDbLoader, [cacheDir, ...files], { stdio: ["ignore", "ignore", "pipe"] });
}

/**
 * Writes an empty Java DB (trivy-java-db schema 1) to <cacheDir>/java-db, fetched two days ago:
 * due for a refresh, so trivy asks its Java DB repository first, but good enough to judge with.
 */
export function prepareStaleJavaDb(cacheDir: string): void {
  const dir = join(cacheDir, "java-db");
  mkdirSync(dir, { recursive: true });
  const db = new DatabaseSync(join(dir, "trivy-java.db"));
  db.exec(`CREATE TABLE artifacts(id INTEGER PRIMARY KEY, group_id TEXT, artifact_id TEXT);
CREATE TABLE indices(artifact_id INTEGER, version TEXT, sha1 BLOB, archive_type TEXT, foreign key (artifact_id) references artifacts(id));
CREATE UNIQUE INDEX artifacts_idx ON artifacts(artifact_id, group_id);
CREATE INDEX indices_artifact_idx ON indices(artifact_id);
CREATE UNIQUE INDEX indices_sha1_idx ON indices(sha1);`);
  db.close();
  const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000).toISOString();
  writeFileSync(join(dir, "metadata.json"), JSON.stringify({ Version: 1, NextUpdate: twoDaysAgo, UpdatedAt: twoDaysAgo, DownloadedAt: twoDaysAgo }));
}
