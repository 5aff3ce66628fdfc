// Which failed pod creations are refusals (never retried) and how a refused node is counted.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ApiException } from "@kubernetes/client-node";
import { addNodeFailures, jobProgress } from "../../../src/manager/controllers/job-progress.ts";
import { isRefusal, refusedFailures, RefusedPods } from "../../../src/manager/controllers/refused-pods.ts";

const api = (code: number): ApiException<string> => new ApiException(code, "", "", {});

describe("refused worker pods", () => {
  test("forbidden, invalid, bad and not-found requests are refusals; throttling, server errors and no answer are retried", () => {
    assert.deepEqual([400, 403, 404, 422].map((c) => isRefusal(api(c))), [true, true, true, true]);
    assert.deepEqual([408, 409, 429, 500, 503].map((c) => isRefusal(api(c))), [false, false, false, false, false]);
    assert.equal(isRefusal(new Error("socket hang up")), false);
  });

  test("a refused node counts as failed with the API server's reason, after the nodes whose pods ran", () => {
    const refused = new RefusedPods();
    refused.record("j", "n2", "HTTP 403: forbidden");
    const ran = jobProgress([{ metadata: { name: "p1" }, spec: { nodeName: "n1" }, status: { phase: "Failed", containerStatuses: [{ name: "remover", state: { terminated: { exitCode: 3 } } }] } }], 0, { podTimeoutMs: 1, scanTimeoutMs: 0 });
    const progress = addNodeFailures(ran, refusedFailures(refused.of("j")));
    assert.equal(progress.failed, 2);
    assert.deepEqual(progress.failures.map((f) => f.node), ["n1", "n2"]);
    assert.equal(progress.failures[1]?.reason, "its worker pod could not be created: HTTP 403: forbidden");
    refused.forget("j");
    assert.equal(refused.of("j").size, 0);
  });

  test("a failure that may pass is retried until it has lasted the given time; a node whose pod then exists starts afresh", () => {
    const refused = new RefusedPods();
    assert.equal(refused.failedForNow("j", "n1", "HTTP 500: webhook down", 1_000, 600_000), true, "the first failure is worth an Event");
    assert.equal(refused.failedForNow("j", "n1", "HTTP 500: webhook down", 500_000, 600_000), false, "a retry is not");
    assert.equal(refused.of("j").size, 0, "still retried");
    refused.failedForNow("j", "n1", "HTTP 503: unavailable", 601_000, 600_000);
    assert.equal(refused.of("j").get("n1"), "HTTP 503: unavailable (pod creation failing for 600 s)");

    refused.failedForNow("j", "n2", "HTTP 500", 1_000, 600_000);
    refused.settle("j", new Set(["n2"]));
    assert.equal(refused.failedForNow("j", "n2", "HTTP 500", 700_000, 600_000), true, "its earlier failure no longer counts");
    assert.equal(refused.of("j").has("n2"), false);
  });
});
