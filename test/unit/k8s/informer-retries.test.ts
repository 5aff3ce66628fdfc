// client-node's ListWatch.start() resolves even when its list fails. A cache whose list the API
// server refuses must stay unsynced (no controller runs on it) and retry with a growing delay, not
// twice a second for ever. The real API server's refusal is in integration/manager-late-rbac.
import { test } from "node:test";
import assert from "node:assert/strict";
import { KubeConfig } from "@kubernetes/client-node";
import { ResilientInformer } from "../../../src/k8s/informer.ts";
import { keepWhole } from "../../../src/manager/cached-objects.ts";
import { captureLog } from "../../harness/log-capture.ts";

test("a list that keeps failing leaves the cache unsynced and is retried after 1, 2, 4, 8 times the first delay", async () => {
  const log = captureLog();
  let lists = 0;
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromClusterAndUser({ name: "none", server: "https://127.0.0.1:1", skipTLSVerify: true }, { name: "none" });
  const informer = new ResilientInformer({
    kubeConfig,
    path: "/api/v1/nodes",
    list: () => {
      lists++;
      return Promise.reject(new Error("HTTP 403: nodes is forbidden"));
    },
    keep: keepWhole,
    retryBaseMs: 20,
    logger: log.logger,
    onEvent: () => undefined,
  });
  let lines: Record<string, unknown>[];
  try {
    await informer.start();
    assert.equal(informer.synced, false, "start() returned, but nothing was listed");
    for (let waited = 0; lists < 4 && waited < 5000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(informer.synced, false);
  } finally {
    await informer.stop();
    lines = log.lines();
  }
  const retries = lines.filter((l) => l["msg"] === "Watch failed; relisting").map((l) => l["retryInMs"]);
  assert.deepEqual(retries.slice(0, 4), [20, 40, 80, 160]);
  assert.equal(lists, retries.length, "one list per failure, none in between");
});
