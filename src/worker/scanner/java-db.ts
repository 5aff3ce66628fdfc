// trivy's Java DB. trivy fetches it only when an image holds Java archives (.jar, .war, .ear,
// .par), so it cannot be made ready before the first scan as the vulnerability DB is
// (db-ready.ts) without a large download most nodes never need. A Java DB that cannot be had
// fails the scan of every such image; flagging those as failed scans (deleteFailedImages) would
// remove them for a registry's refusal. They are kept unjudged instead, and the registry is asked
// once per run: after a failed fetch, scans go on with the Java DB already in cacheDir, if any.

/** How trivy 0.74's jar analyzer says it has no Java DB (pkg/fanal/analyzer/language/java/jar). */
const noJavaDb = /Unable to initialize the Java DB: ([\s\S]*)/;

/** Why trivy had no Java DB, on one line, or undefined when its failure was something else. */
export function javaDbFailure(stderr: string): string | undefined {
  const cause = noJavaDb.exec(stderr)?.[1];
  return cause === undefined ? undefined : cause.replace(/\s+/g, " ").trim().slice(0, 400);
}

/** Whether this run's scans still let trivy fetch its Java DB. */
export class JavaDbFetch {
  #skip: boolean;

  constructor(offline: boolean) {
    // Offline, trivy never fetches it: a Java DB not in cacheDir is simply unavailable.
    this.#skip = offline;
  }

  get skipUpdate(): boolean {
    return this.#skip;
  }

  /** Records a failed fetch; true when it was the first, so the failed scan is worth one retry without fetching. */
  failed(): boolean {
    if (this.#skip) return false;
    this.#skip = true;
    return true;
  }
}
