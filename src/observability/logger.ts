// The one logger module: pino JSON lines, Kubernetes-style messages ("Created worker pod") with
// key/values, one child logger per controller, node or image.
import { pino, type Logger, type LevelWithSilent } from "pino";

export type { Logger } from "pino";

const levels: readonly LevelWithSilent[] = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

export function isLogLevel(value: string): value is LevelWithSilent {
  return (levels as readonly string[]).includes(value);
}

/** Creates the root logger. `destination` defaults to stdout (file descriptor 1). */
export function createLogger(options: { level?: string; name?: string; destination?: number } = {}): Logger {
  const level = options.level !== undefined && isLogLevel(options.level) ? options.level : "info";
  return pino(
    {
      level,
      base: options.name === undefined ? null : { component: options.name },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    pino.destination({ dest: options.destination ?? 1, sync: true }),
  );
}
