// The informer's hint for a refusal: from a client-node API error (`code`) or its Watch's
// (`statusCode`); the real API server's refusals are in integration/informer-refusals.
import { test } from "node:test";
import assert from "node:assert/strict";
import { refusalHint } from "../../../src/k8s/refusal-hint.ts";

const apiError = (code: number): Error => Object.assign(new Error(`HTTP-Code: ${code}`), { code });
const watchError = (statusCode: number): Error => Object.assign(new Error("Forbidden"), { statusCode });

test("a 403 from a list or a watch says what the ServiceAccount needs, a 404 under eraser.sh that the CRDs are missing, anything else nothing", () => {
  for (const error of [apiError(403), watchError(403)]) assert.match(refusalHint(error, "/api/v1/nodes") ?? "", /^the API server does not let the manager list and watch \/api\/v1\/nodes: its ServiceAccount needs get, list and watch there/);
  assert.match(refusalHint(watchError(404), "/apis/eraser.sh/v1/imagejobs") ?? "", /the eraser\.sh CRDs are not installed \(kubectl apply -f crds\//);
  assert.equal(refusalHint(apiError(404), "/api/v1/nodes"), "the API server does not serve /api/v1/nodes");
  assert.equal(refusalHint(apiError(500), "/api/v1/nodes"), undefined);
  assert.equal(refusalHint(new Error("socket hang up"), "/api/v1/nodes"), undefined);
});
