// The worker ends when its run does, with the run's exit code, instead of waiting for whatever
// handles are still open (a runtime connection winding down, a timer left behind); and a pipeline
// container that cannot start does not leave its remover waiting.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { waitForStage } from "../../../src/worker/handoff.ts";
import { runWorker } from "../../../src/worker/main.ts";

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

test("a scanner that cannot read its flags tells its pod's remover at once, which removes nothing and says why", async () => {
  const shared = mkdtempSync(join(tmpdir(), "ets-unit-usage-"));
  try {
    const code = await runWorker(["trivy-scanner", `--shared-dir=${shared}`, "--verdicts-v2=/x"], {});
    assert.equal(code, 2);
    await assert.rejects(waitForStage(shared, "final", { timeoutMs: 1000, staleMs: 60_000 }), /trivy-scanner failed: bad command line: unknown flag --verdicts-v2; removing nothing/);
    const absent = join(shared, "not-there");
    assert.equal(await runWorker(["collector", "--shared-dir", absent, "--bogus"], {}), 2);
    assert.equal(existsSync(absent), false, "no shared directory, nothing written: a typo at a shell creates nothing");
  } finally {
    rmSync(shared, { recursive: true, force: true });
  }
});
