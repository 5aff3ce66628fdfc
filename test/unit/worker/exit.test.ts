// The worker ends when its run does, with the run's exit code, instead of waiting for whatever
// handles are still open (a runtime connection winding down, a timer left behind).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const mainModule = pathToFileURL(join(import.meta.dirname, "..", "..", "..", "src", "worker", "main.ts")).href;

function runToEnd(body: string): ReturnType<typeof spawnSync> {
  const script = `import { exitWhenDone } from ${JSON.stringify(mainModule)};\n${body}`;
  return spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 20_000 });
}

test("the worker exits with its run's code while a handle is still open", () => {
  const run = runToEnd(`setInterval(() => undefined, 60_000);\nexitWhenDone(Promise.resolve(3));`);
  assert.equal(run.error, undefined, "the process was still running after 20 s");
  assert.equal(run.status, 3, String(run.stderr));
});

test("everything the run wrote to stdout is out before the worker exits", () => {
  const run = runToEnd(`setInterval(() => undefined, 60_000);\nexitWhenDone(Promise.resolve().then(() => { process.stdout.write("x".repeat(1 << 20)); return 0; }));`);
  assert.equal(run.status, 0, String(run.stderr));
  assert.equal(String(run.stdout).length, 1 << 20);
});
