// A manual job's image list, as its ConfigMap carries it (ADR 0025): text when it fits, gzipped
// when only that fits, and refused, with the sizes, when not even that does.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import { manyTeamsImages, randomTagImages } from "../../harness/large-lists.ts";
import { configMapLimitBytes, imageListPayload, payloadContent, tooLargeProblem } from "../../../src/manager/imagelist-payload.ts";

const manyTeams = manyTeamsImages();

describe("a manual job's image list in its ConfigMap", () => {
  test("a list that fits as text is carried as text, readable with kubectl", () => {
    const payload = imageListPayload(["docker.io/library/alpine:3.7.3", "*"]);
    assert.equal(payload.kind, "text");
    assert.deepEqual(payloadContent(payload), { data: { images: '["docker.io/library/alpine:3.7.3","*"]' } });
  });

  test("a list larger than a ConfigMap holds as text is carried gzipped, and unpacks to the same JSON", () => {
    const text = JSON.stringify(manyTeams);
    assert.ok(Buffer.byteLength(text) > configMapLimitBytes, "the list is larger than a ConfigMap as text");
    const payload = imageListPayload(manyTeams);
    assert.equal(payload.kind, "gzip");
    const content = payloadContent(payload);
    assert.ok("binaryData" in content);
    const bytes = Buffer.from(content.binaryData["images"] ?? "", "base64");
    assert.ok(bytes.length <= configMapLimitBytes);
    assert.equal(gunzipSync(bytes).toString("utf8"), text);
  });

  test("a list too large even gzipped is refused with its size, and the words say what to do", () => {
    const random = randomTagImages(16_000);
    const payload = imageListPayload(random);
    assert.equal(payload.kind, "too-large");
    assert.equal(payload.textBytes, Buffer.byteLength(JSON.stringify(random)));
    assert.match(tooLargeProblem(payload.textBytes), new RegExp(`^the list is ${payload.textBytes} bytes of JSON and more than 1048576 bytes gzipped, .*split it into smaller lists`));
  });
});
