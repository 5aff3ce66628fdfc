// The collector subcommand's bundle (dist/eraser-worker.d/collector.cjs); dist/eraser-worker runs it.
import { runCollector } from "../commands/collector.ts";
import { exitWhenDone, runWorker } from "../main.ts";

exitWhenDone(runWorker(process.argv.slice(2), { collector: runCollector }));
