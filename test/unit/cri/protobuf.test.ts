import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ProtoWriter, readFields, fieldString, fieldStrings, fieldNumber, fieldBool, fieldMap } from "../../../src/cri/protobuf.ts";
import { decodeContainerMountImages, decodeListImagesResponse, decodePodSandboxStatusInfo, encodeContainerStatusRequest, encodePodSandboxStatusRequest, encodeRemoveImageRequest } from "../../../src/cri/messages.ts";
import { podSandboxImageFromInfo } from "../../../src/cri/grpc-client.ts";

describe("protobuf wire format", () => {
  test("strings, repeated strings, varints above 2^32, bools and maps round-trip", () => {
    const entry = (k: string, v: string): ProtoWriter => new ProtoWriter().string(1, k).string(2, v);
    const buffer = new ProtoWriter()
      .string(1, "sha256:abc")
      .string(2, "a:1")
      .string(2, "a:2")
      .bool(8, true)
      .uint(6, 2)
      .uint(7, 0)
      .message(9, entry("io.kubernetes.pod.name", "p"))
      .finish();
    const withSize = Buffer.concat([buffer, Buffer.from([0x20, 0x80, 0x80, 0x80, 0x80, 0x20])]); // field 4 = 0x20 << 28 = 2^33
    const f = readFields(withSize);
    assert.equal(fieldString(f, 1), "sha256:abc");
    assert.deepEqual(fieldStrings(f, 2), ["a:1", "a:2"]);
    assert.equal(fieldBool(f, 8), true);
    assert.equal(fieldNumber(f, 4), 2 ** 33);
    assert.equal(fieldNumber(f, 6), 2);
    assert.equal(f.has(7), false, "a zero varint is the default and is not written");
    assert.deepEqual(fieldMap(f, 9), { "io.kubernetes.pod.name": "p" });
  });

  test("ContainerStatus: the request names the container, not verbose; the images of the status's image-volume mounts decode (Mount.image = 9)", () => {
    const request = readFields(encodeContainerStatusRequest("c1"));
    assert.equal(fieldString(request, 1), "c1");
    assert.equal(request.has(2), false);
    const hostPath = new ProtoWriter().string(1, "/data").string(2, "/var/lib/data");
    const imageVolume = new ProtoWriter().string(1, "/model").bool(3, true).message(9, new ProtoWriter().string(1, "sha256:" + "b".repeat(64)));
    const status = new ProtoWriter().string(1, "c1").message(8, new ProtoWriter().string(1, "docker.io/library/app:1")).message(14, hostPath).message(14, imageVolume).string(15, "/var/log/c1.log");
    assert.deepEqual(decodeContainerMountImages(new ProtoWriter().message(1, status).finish()), ["sha256:" + "b".repeat(64)]);
    assert.deepEqual(decodeContainerMountImages(new ProtoWriter().finish()), []);
  });

  test("an Image in a ListImagesResponse decodes with its CRI field numbers", () => {
    const image = new ProtoWriter().string(1, "sha256:1").string(2, "docker.io/library/a:1").string(3, "docker.io/library/a@sha256:2").bool(8, true);
    const reply = new ProtoWriter().message(1, image).finish();
    assert.deepEqual(decodeListImagesResponse(reply), [
      { id: "sha256:1", repoTags: ["docker.io/library/a:1"], repoDigests: ["docker.io/library/a@sha256:2"], sizeBytes: 0, pinned: true },
    ]);
  });

  test("RemoveImageRequest nests the image in an ImageSpec (field 1 of field 1)", () => {
    const f = readFields(encodeRemoveImageRequest("sha256:x"));
    const spec = readFields(f.get(1)![0]!.value as Buffer);
    assert.equal(fieldString(spec, 1), "sha256:x");
  });

  test("PodSandboxStatus asks verbosely by sandbox ID, and the image comes from containerd's info JSON", () => {
    const request = readFields(encodePodSandboxStatusRequest("sb-1"));
    assert.equal(fieldString(request, 1), "sb-1");
    assert.equal(fieldBool(request, 2), true, "verbose, or containerd sends no info");
    const info = JSON.stringify({ pid: 42, processStatus: "running", image: "registry.k8s.io/pause:3.8", runtimeType: "io.containerd.runc.v2" });
    const entry = new ProtoWriter().string(1, "info").string(2, info);
    const reply = new ProtoWriter().message(1, new ProtoWriter().string(1, "sb-1")).message(2, entry).finish();
    assert.equal(podSandboxImageFromInfo(decodePodSandboxStatusInfo(reply)), "registry.k8s.io/pause:3.8");
  });

  test("a runtime that does not say which image a sandbox runs gives no image, not an error", () => {
    assert.equal(podSandboxImageFromInfo({}), undefined);
    assert.equal(podSandboxImageFromInfo({ info: "not json" }), undefined);
    assert.equal(podSandboxImageFromInfo({ info: JSON.stringify({ image: "" }) }), undefined);
  });

  test("truncated input is an error, not a silent partial message", () => {
    assert.throws(() => readFields(Buffer.from([0x0a, 0x05, 0x61])), /truncated/);
  });
});
