// eraser-worker: one binary, one subcommand per container (collector, trivy-scanner, remover),
// plus `clean` for people. Exit codes: 0 done, 1 failed (nothing or not everything removed), 2 usage.
import { createLogger } from "../observability/logger.ts";
import { parseWorkerArgs, UsageError, type Subcommand, type WorkerOptions } from "./args.ts";
import type { Logger } from "../observability/logger.ts";

type Command = (options: WorkerOptions, logger: Logger) => Promise<number>;

// Each container loads only its own command: the scanner's trivy runner and YAML parser would
// add ~35 MiB to a remover that never uses them (memory budget, see docs/worker.md).
const commands: Record<Subcommand, () => Promise<Command>> = {
  collector: async () => (await import("./commands/collector.ts")).runCollector,
  "trivy-scanner": async () => (await import("./commands/scanner.ts")).runScanner,
  remover: async () => (await import("./commands/remover.ts")).runRemover,
  clean: async () => (await import("./commands/clean.ts")).runClean,
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
    const command = await commands[parsed.command]();
    return await command(parsed.options, logger);
  } catch (error) {
    logger.error({ reason: (error as Error).message }, "Worker failed");
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
