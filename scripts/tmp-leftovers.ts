// A test run must leave nothing in the temporary directory: on a shared CI machine a directory
// left per run fills the disk, and a leftover is usually a test whose clean-up did not run. The
// tier runner lists the project's entries before and after, and fails the run on new ones.
import { readdirSync } from "node:fs";
import { tmpdir } from "node:os";

/** Every name the project's tests, benchmarks and worker give their temporary files. */
const ownPrefixes = ["ets-", "eraser-ts-", "eraser-trivy-"];

/** The project's entries in the temporary directory now. */
export function projectTmpEntries(dir: string = tmpdir()): Set<string> {
  return new Set(readdirSync(dir).filter((name) => ownPrefixes.some((prefix) => name.startsWith(prefix))));
}

/** The project's entries that were not there `before`, sorted. */
export function newTmpEntries(before: ReadonlySet<string>, dir: string = tmpdir()): string[] {
  return [...projectTmpEntries(dir)].filter((name) => !before.has(name)).sort();
}
