// What the manager says of a failed API call: the API server's own Status message and its HTTP
// status, whether client-node carries the response body as text (as it does for a 403 from
// admission) or as an object, and never the response headers it appends.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ApiException } from "@kubernetes/client-node";
import { describeError } from "../../../src/k8s/errors.ts";

const forbidden = 'pods "eraser-a-x1" is forbidden: violates PodSecurity "baseline:latest": hostPath volumes (volume "runtime-sock")';
const status = { kind: "Status", apiVersion: "v1", status: "Failure", message: forbidden, reason: "Forbidden", code: 403 };
const headers = { "audit-id": "7c1f", "content-type": "application/json" };

describe("describing a failed API call", () => {
  test("a body carried as the response text gives the Status message", () => {
    assert.equal(describeError(new ApiException(403, "Unknown API Status Code!", JSON.stringify(status), headers)), `HTTP 403: ${forbidden}`);
  });

  test("a body carried as an object gives the Status message", () => {
    assert.equal(describeError(new ApiException(422, "Unprocessable", { ...status, code: 422, message: 'Pod "x" is invalid: spec.containers[0].image: Required value' }, headers)), 'HTTP 422: Pod "x" is invalid: spec.containers[0].image: Required value');
  });

  test("a plain-text body is the message: a resource nobody serves (a CRD not installed)", () => {
    assert.equal(describeError(new ApiException(404, "Unknown API Status Code!", "404 page not found\n", headers)), "HTTP 404: 404 page not found");
  });

  test("a refused watch, which client-node's Watch reports as its status line only, gets its code beside it", () => {
    assert.equal(describeError(Object.assign(new Error("Forbidden"), { statusCode: 403 })), "HTTP 403: Forbidden");
  });

  test("a body that is not a Status falls back to the first line, without headers", () => {
    const described = describeError(new ApiException(502, "Bad Gateway", "<html>bad gateway</html>", headers));
    assert.equal(described, "HTTP-Code: 502");
    assert.equal(describeError(new Error("connect ECONNREFUSED 127.0.0.1:6443\nmore")), "connect ECONNREFUSED 127.0.0.1:6443");
  });
});
