// The trivy-scanner subcommand's bundle (dist/eraser-worker.d/trivy-scanner.cjs); dist/eraser-worker runs it.
import { runScanner } from "../commands/scanner.ts";
import { exitWhenDone, runWorker } from "../main.ts";

exitWhenDone(runWorker(process.argv.slice(2), { "trivy-scanner": runScanner }));
