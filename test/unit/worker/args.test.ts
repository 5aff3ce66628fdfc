import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { parseWorkerArgs } from "../../../src/worker/args.ts";

describe("worker command lines", () => {
  test("flags as --name=value and --name value; booleans alone; defaults from the pod contract", () => {
    const { command, options } = parseWorkerArgs(["remover", "--imagelist", "/run/eraser.sh/imagelist/images", "--dry-run", "--log-level=debug", "--concurrency=16"]);
    assert.equal(command, "remover");
    assert.equal(options.imagelist, "/run/eraser.sh/imagelist/images");
    assert.equal(options["dry-run"], true);
    assert.equal(options["log-level"], "debug");
    assert.equal(options.concurrency, 16);
    assert.equal(options["runtime-endpoint"], "unix:///run/cri/cri.sock");
    assert.equal(options["termination-log"], "/dev/termination-log");
  });

  test("Eraser-style collector flags", () => {
    const { options } = parseWorkerArgs(["collector", "--scan-disabled", "--exclusion-dir=/run/eraser.sh/excluded"]);
    assert.equal(options["scan-disabled"], true);
    assert.equal(options["exclusion-dir"], "/run/eraser.sh/excluded");
  });

  test("--self-image and --pod-image are given once per image and kept in order; absent, they are empty", () => {
    const { options } = parseWorkerArgs(["remover", "--pod-image=nginx:1", "--self-image", "eraser:v1", "--pod-image", "busybox@sha256:" + "a".repeat(64)]);
    assert.deepEqual(options["pod-image"], ["nginx:1", "busybox@sha256:" + "a".repeat(64)]);
    assert.deepEqual(options["self-image"], ["eraser:v1"]);
    assert.deepEqual(parseWorkerArgs(["remover"]).options["pod-image"], []);
  });

  const bad: [string[], RegExp][] = [
    [["remover", "--pod-image="], /pod-image/],
    [[], /unknown command ""/],
    [["eraser"], /unknown command "eraser"/],
    [["remover", "--colour=red"], /unknown flag --colour/],
    [["remover", "--imagelist"], /--imagelist needs a value/],
    [["remover", "stray"], /unexpected argument "stray"/],
    [["remover", "--concurrency=0"], /concurrency/],
    [["remover", "--log-level=loud"], /log-level/],
  ];
  for (const [argv, reason] of bad) {
    test(`refuses ${JSON.stringify(argv)}`, () => {
      assert.throws(() => parseWorkerArgs(argv), reason);
    });
  }
});
