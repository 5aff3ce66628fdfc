// eraser-worker: one binary, one subcommand per container (collector, trivy-scanner, remover),
// plus `clean` for people. Exit codes: 0 done, 1 failed (nothing or not everything removed), 2 usage.
import { createLogger } from "../observability/logger.ts";
import { parseWorkerArgs, UsageError, type Subcommand, type WorkerOptions } from "./args.ts";
import { runClean } from "./commands/clean.ts";
import { runCollector } from "./commands/collector.ts";
import { runRemover } from "./commands/remover.ts";
import { runScanner } from "./commands/scanner.ts";
import type { Logger } from "../observability/logger.ts";

const commands: Record<Subcommand, (options: WorkerOptions, logger: Logger) => Promise<number>> = {
  collector: runCollector,
  "trivy-scanner": runScanner,
  remover: runRemover,
  clean: runClean,
};

async function main(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseWorkerArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`eraser-worker: ${error.message}\nusage: eraser-worker collector|trivy-scanner|remover|clean [flags]\n`);
    return 2;
  }
  // `clean` prints its result on stdout, so its log goes to stderr.
  const logger = createLogger({ level: parsed.options["log-level"], name: parsed.command, destination: parsed.command === "clean" ? 2 : 1 });
  try {
    return await commands[parsed.command](parsed.options, logger);
  } catch (error) {
    logger.error({ reason: (error as Error).message }, "Worker failed");
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
