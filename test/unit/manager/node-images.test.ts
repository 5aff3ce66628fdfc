import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { maxImagesPerNode, nodeImageKeys } from "../../../src/manager/scan-once/node-images.ts";

const digest = "sha256:" + "ab".repeat(32);

describe("a Node's image keys", () => {
  test("an image is its manifest digest, whichever registry a node pulled it from", () => {
    const upstream = nodeImageKeys([{ names: [`docker.io/library/nginx@${digest}`, "docker.io/library/nginx:1.27"] }]);
    const mirror = nodeImageKeys([{ names: [`mirror.contoso.test/library/nginx@${digest}`, "mirror.contoso.test/library/nginx:stable"] }]);
    assert.deepEqual(upstream, mirror);
    assert.equal(upstream.length, 1);
  });

  test("an image without a digest is its first name; other images are other keys", () => {
    const keys = nodeImageKeys([{ names: ["example.test/local:1"] }, { names: ["example.test/local:2"] }, { names: [`docker.io/library/nginx@${digest}`] }]);
    assert.equal(keys.length, 3);
    assert.deepEqual(nodeImageKeys([{ names: ["example.test/local:1", "example.test/local:latest"] }]), nodeImageKeys([{ names: ["example.test/local:1"] }]));
  });

  test("a kubelet that lists every image (--node-status-max-images=-1) is kept to its largest 100", () => {
    const listed = Array.from({ length: 400 }, (_, i) => ({ names: [`example.test/svc-${i}:v1`] }));
    const keys = nodeImageKeys(listed);
    assert.equal(keys.length, maxImagesPerNode);
    assert.deepEqual(keys, nodeImageKeys(listed.slice(0, maxImagesPerNode)), "the first listed, which the kubelet sorts largest first");
  });

  test("keys are small integers, sorted and distinct; no list or nameless entries give none", () => {
    const keys = nodeImageKeys(Array.from({ length: 50 }, (_, i) => ({ names: [`example.test/svc-${i}:v1`] })));
    assert.equal(keys.length, 50);
    assert.ok(keys.every((k) => Number.isInteger(k) && k >= 0 && k < 2 ** 30), "30 bits: V8 keeps them unboxed");
    assert.deepEqual(keys, [...keys].sort((a, b) => a - b));
    assert.deepEqual(nodeImageKeys(undefined), []);
    assert.deepEqual(nodeImageKeys([{}, { names: [] }]), []);
  });
});
