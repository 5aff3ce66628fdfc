import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { startCaches } from "../../../src/manager/caches-ready.ts";
import { createLogger } from "../../../src/observability/logger.ts";

describe("controllers wait for the caches", () => {
  test("a cache whose first list failed holds the controllers back until its relist fills it", async () => {
    // As ResilientInformer does: start() returns after a failed list, and a retry syncs it later.
    const caches = { synced: false, start: () => Promise.resolve() };
    let done = false;
    const started = startCaches(caches, createLogger({ level: "silent" }), 5).then(() => {
      done = true;
    });
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(done, false, "no controller may run on an empty cache");
    caches.synced = true;
    await started;
    assert.equal(done, true);
  });

  test("caches that list at once let the controllers run at once", async () => {
    await startCaches({ synced: true, start: () => Promise.resolve() }, createLogger({ level: "silent" }), 1_000_000);
  });
});
