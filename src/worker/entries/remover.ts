// The remover subcommand's bundle (dist/eraser-worker.d/remover.cjs); dist/eraser-worker runs it.
import { runRemover } from "../commands/remover.ts";
import { exitWhenDone, runWorker } from "../main.ts";

exitWhenDone(runWorker(process.argv.slice(2), { remover: runRemover }));
