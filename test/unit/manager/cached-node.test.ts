// A Node whose status has a field of a shape the manager does not expect stays a node of the
// cluster: it keeps its name and labels, so every job still selects it, and only the hint that
// field gave is unknown.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { keepNode, type CachedNode } from "../../../src/manager/cached-node.ts";
import { nodeImageKeys } from "../../../src/manager/scan-once/node-images.ts";

function keptWithUnread(raw: unknown): { node: CachedNode; unread: string[] } {
  const result = keepNode(JSON.parse(JSON.stringify(raw)));
  assert.ok("object" in result, `refused: ${"refused" in result ? result.refused : ""}`);
  return { node: result.object, unread: result.unread ?? [] };
}

const metadata = { name: "n1", labels: { "kubernetes.io/os": "linux", pool: "a" } };
const image = { names: ["docker.io/library/a:1"], sizeBytes: 5 };

describe("the node cache's reading of a Node", () => {
  test("a Ready condition with lastTransitionTime null (what the API server writes for a condition set without one) is Ready, since unknown", () => {
    const { node, unread } = keptWithUnread({ metadata, status: { conditions: [{ type: "Ready", status: "True", lastHeartbeatTime: null, lastTransitionTime: null }] } });
    assert.deepEqual(node, { metadata, ready: { status: "True" } });
    assert.deepEqual(unread, []);
  });

  test("a condition of another shape leaves readiness unknown and says so; the node keeps its name, labels and images", () => {
    const { node, unread } = keptWithUnread({ metadata, status: { conditions: [{ type: "Ready", status: 1 }], images: [image] } });
    assert.deepEqual(node, { metadata, images: nodeImageKeys([image]) });
    assert.equal(unread.length, 1);
    assert.match(unread[0] ?? "", /^status\.conditions\[Ready\]: .*status/);
  });

  test("conditions that are not a list leave the images known, and images that are not a list leave readiness known", () => {
    const conditionsOdd = keptWithUnread({ metadata, status: { conditions: "Ready", images: [image] } });
    assert.deepEqual(conditionsOdd.node.images, nodeImageKeys([image]));
    assert.match(conditionsOdd.unread.join(), /^status\.conditions: /);
    const imagesOdd = keptWithUnread({ metadata, status: { conditions: [{ type: "Ready", status: "False", lastTransitionTime: "2026-11-24T10:00:00Z" }], images: { a: 1 } } });
    assert.deepEqual(imagesOdd.node.ready, { status: "False", since: new Date("2026-11-24T10:00:00Z") });
    assert.equal(imagesOdd.node.images, undefined);
    assert.match(imagesOdd.unread.join(), /^status\.images: /);
  });

  test("an image entry of another shape is skipped and counted; the others still give keys", () => {
    const { node, unread } = keptWithUnread({ metadata, status: { images: [{ names: "docker.io/library/b:1" }, image] } });
    assert.deepEqual(node.images, nodeImageKeys([image]));
    assert.deepEqual(unread, ["status.images: 1 of 2 entries are not {names: string[]}"]);
  });

  test("a status or spec that is not an object, or an unschedulable that is not a boolean, is unread, and the node is not taken for cordoned", () => {
    const { node, unread } = keptWithUnread({ metadata, spec: { unschedulable: "yes" }, status: ["Ready"] });
    assert.deepEqual(node, { metadata });
    assert.equal(unread.length, 2);
    assert.match(unread.join("\n"), /spec\.unschedulable: /);
    assert.match(unread.join("\n"), /status: expected an object, received array/);
  });

  test("a well-formed Node has nothing unread, and a Node without a name is still refused", () => {
    const result = keepNode({ metadata, spec: { unschedulable: true }, status: { conditions: [{ type: "Ready", status: "True" }], images: [image] } });
    assert.ok("object" in result);
    assert.equal(result.unread, undefined);
    assert.equal(result.object.cordoned, true);
    assert.ok("refused" in keepNode({ metadata: { labels: {} }, status: {} }));
  });
});
