// The clean subcommand's bundle (dist/eraser-worker.d/clean.cjs); dist/eraser-worker runs it.
import { runClean } from "../commands/clean.ts";
import { exitWhenDone, runWorker } from "../main.ts";

exitWhenDone(runWorker(process.argv.slice(2), { clean: runClean }));
