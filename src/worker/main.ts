// eraser-worker: one program, one subcommand per container (collector, trivy-scanner, remover),
// plus `clean` for people. Exit codes: 0 done, 1 failed (nothing or not everything removed), 2 usage.
// Each subcommand is its own bundle (src/worker/entries/), so a container loads only its own
// command: the scanner's trivy runner and YAML parser would add ~35 MiB to a remover that never
// uses them (memory budget, see docs/worker.md).
import { existsSync } from "node:fs";
import { paths } from "../api/worker-contract.ts";
import { createLogger } from "../observability/logger.ts";
import { parseWorkerArgs, UsageError, type Subcommand, type WorkerOptions } from "./args.ts";
import { writeFailure } from "./handoff.ts";
import type { Logger } from "../observability/logger.ts";

export type Command = (options: WorkerOptions, logger: Logger) => Promise<number>;

/** Parses the command line and runs the subcommand, if this bundle carries it. */
export async function runWorker(argv: readonly string[], commands: Partial<Record<Subcommand, Command>>): Promise<number> {
  let parsed;
  try {
    parsed = parseWorkerArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`eraser-worker: ${error.message}\nusage: eraser-worker collector|trivy-scanner|remover|clean [flags]\n`);
    tellTheRemover(argv, error.message);
    return 2;
  }
  const command = commands[parsed.command];
  if (command === undefined) {
    process.stderr.write(`eraser-worker: this bundle does not carry the ${parsed.command} command; run it through dist/eraser-worker\n`);
    return 2;
  }
  // `clean` prints its result on stdout, so its log goes to stderr.
  const logger = createLogger({ level: parsed.options["log-level"], name: parsed.command, destination: parsed.command === "clean" ? 2 : 1 });
  try {
    return await command(parsed.options, logger);
  } catch (error) {
    logger.error({ reason: (error as Error).message }, "Worker failed");
    return 1;
  }
}

/**
 * A collector or trivy-scanner that cannot even read its flags (say, a newer manager's flag given
 * to an older worker image) leaves a failure marker, so its pod's remover stops at once, removing
 * nothing and saying why, instead of waiting out --wait-timeout. Only where the shared directory
 * already exists, as in a worker pod: a typo at a shell creates nothing.
 */
function tellTheRemover(argv: readonly string[], reason: string): void {
  const [command, ...flags] = argv;
  if (command !== "collector" && command !== "trivy-scanner") return;
  const dir = sharedDirOf(flags);
  if (!existsSync(dir)) return;
  try {
    writeFailure(dir, command, `bad command line: ${reason}`);
  } catch {
    // Best effort: the remover still gives up after --wait-timeout.
  }
}

function sharedDirOf(flags: readonly string[]): string {
  const name = "--shared-dir";
  for (const [i, flag] of flags.entries()) {
    if (flag.startsWith(`${name}=`)) return flag.slice(name.length + 1);
    if (flag === name) return flags[i + 1] ?? paths.sharedDir;
  }
  return paths.sharedDir;
}

/**
 * Ends the process with the run's exit code as soon as the run is over and its output is out.
 * Log lines and the termination message are written synchronously; what is left is the runtime
 * connection winding down, which took ~6 ms at the end of every run (docs/worker.md), and any
 * handle a dependency leaves open, which would otherwise keep a finished worker alive.
 */
export function exitWhenDone(run: Promise<number>): void {
  void run.then(async (code) => {
    process.exitCode = code;
    await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
    process.exit(code);
  });
}

/** Resolves once everything written to the stream so far has been handed to the OS. */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  if (stream.writableLength === 0) return Promise.resolve();
  return new Promise((resolve) => {
    stream.write("", () => {
      resolve();
    });
  });
}
