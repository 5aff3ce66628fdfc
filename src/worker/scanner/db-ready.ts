// trivy's vulnerability DB, made ready once before the first scan. Without it every scan fails,
// and deleteFailedImages (on by default, for an image trivy cannot scan) would then flag every
// candidate: a registry that refuses or rate-limits the DB download would turn a vulnerability
// scan into a prune of every unused image. A DB that cannot be had fails the scanner instead, and
// the node removes nothing; one already in cacheDir that cannot be refreshed is used as it is.
// With a trivy server (scanner config `server`) the DB is the server's: it must answer its health
// check, before the first scan and again after any scan that fails.
import { existsSync, readFileSync } from "node:fs";
import { get as httpGet } from "node:http";
import { get as httpsGet } from "node:https";
import { join } from "node:path";
import { execa } from "execa";
import type { ScannerConfig } from "../../api/config/types.ts";
import type { Logger } from "../../observability/logger.ts";
import { trivyTokenSecret } from "../../api/worker-contract.ts";
import * as z from "../../api/zod.ts";
import { trivyDbDownload } from "./trivy-args.ts";

export class TrivyMissingError extends Error {
  override readonly name = "TrivyMissingError";
}

/** A trivy that cannot be started fails the scanner: no image can be judged without it. */
export function throwIfTrivyMissing(result: { failed: boolean; code?: string | undefined }, trivyPath: string): void {
  if (result.failed && result.code === "ENOENT") throw new TrivyMissingError(`trivy not found at "${trivyPath}": the trivy-scanner needs the trivy binary`);
}

export class TrivyDbUnavailableError extends Error {
  override readonly name = "TrivyDbUnavailableError";
}

/** trivy's last words, on one line: its errors span lines, and the remover's result holds one. */
const lastWords = (stderr: string): string => stderr.replace(/\s+/g, " ").trim().slice(-400);

/** How long the trivy server gets to answer its health check. */
const healthTimeoutMs = 10_000;

/**
 * The status of a GET. node:http, not fetch: fetch's HTTP parser is WebAssembly, which the
 * worker's `--lite-mode` (jitless V8) does not have ("WebAssembly is not defined").
 */
function httpStatus(url: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = (url.startsWith("https:") ? httpsGet : httpGet)(url, { timeout: timeoutMs }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on("timeout", () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on("error", reject);
  });
}

/**
 * twirp codes with which a trivy server refuses every scan from this scanner, not one image: a
 * token it wants and TRIVY_TOKEN lacks (or gets wrong), or an API it does not serve.
 */
const refusal = /twirp error (unauthenticated|permission_denied|unimplemented)\b/;

/**
 * Throws unless the trivy server answers `GET /healthz` with 200 and, given why a scan failed,
 * did not refuse it.
 */
export async function ensureTrivyServer(server: string, failedScan?: string): Promise<void> {
  if (failedScan !== undefined && refusal.test(failedScan)) {
    throw new TrivyDbUnavailableError(`the trivy server at ${server} refused the scan (is TRIVY_TOKEN, from Secret ${trivyTokenSecret.name}, the server's token?): ${lastWords(failedScan)}`);
  }
  let status: number;
  try {
    status = await httpStatus(`${server}/healthz`, healthTimeoutMs);
  } catch (error) {
    throw new TrivyDbUnavailableError(`the trivy server at ${server} cannot be reached: ${(error as Error).message}`);
  }
  if (status !== 200) throw new TrivyDbUnavailableError(`the trivy server at ${server} is not healthy: GET /healthz answered ${status}`);
}

const DbMetadataSchema = z.looseObject({ UpdatedAt: z.optional(z.string()) });

/** The DB trivy keeps in `dbDir` (trivy.db with its metadata.json), or undefined when there is none. */
function cachedDb(dbDir: string): z.infer<typeof DbMetadataSchema> | undefined {
  if (!existsSync(join(dbDir, "trivy.db"))) return undefined;
  try {
    const parsed = DbMetadataSchema.safeParse(JSON.parse(readFileSync(join(dbDir, "metadata.json"), "utf8")));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export async function ensureTrivyDb(config: ScannerConfig, trivyPath: string, logger: Logger): Promise<void> {
  if (config.server !== "") return ensureTrivyServer(config.server);
  const dbDir = join(config.cacheDir, "db");
  if (config.offline) {
    if (cachedDb(dbDir) !== undefined) return;
    throw new TrivyDbUnavailableError(`offline is on, but ${dbDir} holds no trivy vulnerability DB (trivy.db and metadata.json): load one there, or turn offline off`);
  }
  const { args, env } = trivyDbDownload(config);
  const started = Date.now();
  const result = await execa(trivyPath, args, { env, reject: false, timeout: config.timeout.perImageMs + 30_000 });
  throwIfTrivyMissing(result, trivyPath);
  if (result.exitCode !== 0) {
    const why = `trivy could not get its vulnerability DB from ${config.dbRepo}: ${lastWords(result.stderr) || `exit ${String(result.exitCode)}`}`;
    // An earlier DB only misses what was published since: it flags fewer images, not more (short of a finding withdrawn or downgraded since).
    const earlier = cachedDb(dbDir);
    if (earlier === undefined) throw new TrivyDbUnavailableError(why);
    logger.warn({ dbRepo: config.dbRepo, cacheDir: config.cacheDir, dbUpdatedAt: earlier.UpdatedAt, reason: why }, "trivy could not refresh its vulnerability DB; scanning with the one in cacheDir, which misses what was published since");
    return;
  }
  logger.info({ dbRepo: config.dbRepo, cacheDir: config.cacheDir, ms: Date.now() - started }, "trivy's vulnerability DB is ready");
}
