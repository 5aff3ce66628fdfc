import { afterEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { periodicCollection } from "../../../src/worker/memory.ts";

const globals = globalThis as { gc?: unknown };
const original = globals.gc;

describe("periodic collection", () => {
  afterEach(() => {
    globals.gc = original;
  });

  test("requests an incremental full collection every N calls when the runtime exposes gc", () => {
    const requests: unknown[] = [];
    globals.gc = (options: unknown) => {
      requests.push(options);
      return Promise.resolve();
    };
    const tick = periodicCollection(3);
    for (let i = 0; i < 10; i++) tick();
    assert.deepEqual(requests, Array.from({ length: 3 }, () => ({ type: "major", execution: "async" })));
  });

  test("does nothing when gc is not exposed", () => {
    delete globals.gc;
    const tick = periodicCollection(1);
    assert.doesNotThrow(() => {
      tick();
    });
  });
});
