// A real pino logger writing to a file, and the JSON lines it wrote: for tests that read what a
// user would read in the log.
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { createLogger, type Logger } from "../../src/observability/logger.ts";

export interface LogCapture {
  logger: Logger;
  /** Closes the log and returns its lines, parsed. */
  lines(): Record<string, unknown>[];
}

/** `dir`: where the log file goes; a directory of its own (removed by lines()) when left out. */
export function captureLog(dir?: string): LogCapture {
  const ownDir = dir === undefined ? mkdtempSync("/tmp/ets-unit-log-") : undefined;
  const file = join(dir ?? ownDir ?? "", `log-${Math.random()}`);
  const fd = openSync(file, "w");
  return {
    logger: createLogger({ destination: fd }),
    lines: () => {
      closeSync(fd);
      const lines = readFileSync(file, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
      if (ownDir !== undefined) rmSync(ownDir, { recursive: true, force: true });
      return lines;
    },
  };
}
