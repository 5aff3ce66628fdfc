import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitForStage, writeStage } from "../../../src/worker/handoff.ts";
import { liveNeighbour, silentNeighbour, startHeartbeat } from "../../../src/worker/heartbeat.ts";

describe("a pipeline container's sign of life", () => {
  const root = mkdtempSync(join(tmpdir(), "ets-unit-alive-"));
  let n = 0;
  const fresh = (): string => join(root, String(n++));
  after(() => {
    rmSync(root, { recursive: true, force: true });
  });

  test("is there while the container runs, and gone when it ends", () => {
    const dir = fresh();
    const alive = startHeartbeat(dir, "trivy-scanner");
    assert.equal(existsSync(join(dir, "trivy-scanner.alive")), true);
    assert.equal(silentNeighbour(dir, 60_000), undefined, "a running neighbour is not silent");
    alive.stop();
    assert.equal(existsSync(join(dir, "trivy-scanner.alive")), false);
  });

  test("is kept fresh while the container runs", async () => {
    const dir = fresh();
    const alive = startHeartbeat(dir, "collector");
    const file = join(dir, "collector.alive");
    const past = new Date(Date.now() - 120_000);
    utimesSync(file, past, past);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    try {
      assert.ok(statSync(file).mtimeMs > past.getTime() + 60_000, "touched again since");
    } finally {
      alive.stop();
    }
  });

  test("left behind by a killed container, it goes stale, and the waiting neighbour stops and says who", async () => {
    const dir = fresh();
    startHeartbeat(dir, "trivy-scanner").stop();
    writeFileSync(join(dir, "trivy-scanner.alive"), ""); // what a SIGKILL leaves
    const old = new Date(Date.now() - 90_000);
    utimesSync(join(dir, "trivy-scanner.alive"), old, old);
    assert.equal(silentNeighbour(dir, 60_000)?.name, "trivy-scanner");
    await assert.rejects(waitForStage(dir, "final", { timeoutMs: 60_000, staleMs: 60_000 }), /trivy-scanner stopped without finishing \(no sign of life for 90 s: killed, or out of memory\?\); removing nothing/);
  });

  test("a stage written before its writer ended is taken, whatever the writer's file says later", async () => {
    const dir = fresh();
    writeStage(dir, "final", { images: ["sha256:a"] });
    // Killed after its output was out, before it could clear its sign of life.
    writeFileSync(join(dir, "trivy-scanner.alive"), "");
    const old = new Date(Date.now() - 90_000);
    utimesSync(join(dir, "trivy-scanner.alive"), old, old);
    assert.deepEqual((await waitForStage(dir, "final", { timeoutMs: 1000, staleMs: 60_000 })).images, ["sha256:a"]);
  });

  test("past --wait-timeout the wait goes on while a neighbour is alive (a long scan), and ends when none is", async () => {
    const dir = fresh();
    const scanner = startHeartbeat(dir, "trivy-scanner");
    setTimeout(() => {
      writeStage(dir, "final", { images: ["sha256:b"] });
      scanner.stop();
    }, 1800);
    const started = Date.now();
    assert.deepEqual((await waitForStage(dir, "final", { timeoutMs: 300, staleMs: 60_000, pollMs: 50 })).images, ["sha256:b"]);
    assert.ok(Date.now() - started >= 1700, "it waited past its 300 ms for the scanner's output");

    const nobody = fresh();
    await assert.rejects(waitForStage(nobody, "final", { timeoutMs: 300, staleMs: 60_000, pollMs: 50 }), /gave up waiting 0 s for .*final\.json, with no other container alive; removing nothing/);
  });

  test("a container's own sign of life does not keep it waiting", async () => {
    const dir = fresh();
    const self = startHeartbeat(dir, "trivy-scanner");
    try {
      await assert.rejects(waitForStage(dir, "collected", { timeoutMs: 300, staleMs: 60_000, self: "trivy-scanner", pollMs: 50 }), /gave up waiting/);
      assert.equal(liveNeighbour(dir, 60_000, "trivy-scanner"), undefined);
      assert.equal(liveNeighbour(dir, 60_000, undefined), "trivy-scanner");
    } finally {
      self.stop();
    }
  });
});
