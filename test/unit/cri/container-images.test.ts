// The in-use check's reading of ListContainers: what each container runs, and a container read
// before is recognised by its ID without reading the rest of its record.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { decodeContainerImages } from "../../../src/cri/container-images.ts";
import { decodeListContainersResponse } from "../../../src/cri/messages.ts";
import { ProtoReader } from "../../../src/cri/proto-reader.ts";
import { ProtoWriter } from "../../../src/cri/protobuf.ts";
import type { ContainerImages } from "../../../src/cri/types.ts";

const id = (n: number): string => String(n).padStart(64, "c");

/** A Container as containerd writes it: fields in number order, kubelet labels and annotations. */
function container(n: number, image: string, imageRef: string, imageId = ""): ProtoWriter {
  const label = (k: string, v: string): ProtoWriter => new ProtoWriter().string(1, k).string(2, v);
  return new ProtoWriter()
    .string(1, id(n))
    .string(2, "s".repeat(64))
    .message(3, new ProtoWriter().string(1, `app-${n}`).uint(2, 1))
    .message(4, new ProtoWriter().string(1, image).message(2, label("k", "v")))
    .string(5, imageRef)
    .uint(6, n % 4)
    .uint(7, 1_732_000_000_000_000_000 + n)
    .message(8, label("io.kubernetes.pod.name", `pod-${n}`))
    .message(9, label("io.kubernetes.container.hash", "abc"))
    .string(10, imageId);
}

const listing = (...containers: ProtoWriter[]): Buffer => containers.reduce((reply, c) => reply.message(1, c), new ProtoWriter()).finish();

describe("ListContainers for the in-use check", () => {
  test("each container's ID, image and image ID decode, in every state, and agree with the full decoder", () => {
    const reply = listing(container(1, "docker.io/library/app:1", "sha256:" + "a".repeat(64)), container(2, "app@sha256:" + "d".repeat(64), "docker.io/library/app@sha256:" + "d".repeat(64), "sha256:" + "b".repeat(64)), container(3, "", ""));
    const read = decodeContainerImages(reply);
    assert.deepEqual(read, [
      { id: id(1), image: "docker.io/library/app:1", imageRef: "sha256:" + "a".repeat(64) },
      { id: id(2), image: "app@sha256:" + "d".repeat(64), imageRef: "sha256:" + "b".repeat(64) },
      { id: id(3), image: "", imageRef: "" },
    ]);
    assert.deepEqual(
      read,
      decodeListContainersResponse(reply).map(({ id, image, imageRef }) => ({ id, image, imageRef })),
    );
  });

  test("a container seen before is given as it was seen; a new one is read", () => {
    const seen = new Map<string, ContainerImages>([[id(1), { id: id(1), image: "as-seen", imageRef: "as-seen-ref" }]]);
    const read = decodeContainerImages(listing(container(1, "docker.io/library/app:1", "x"), container(2, "docker.io/library/new:1", "y")), seen);
    assert.equal(read[0], seen.get(id(1)), "the same record, not read again");
    assert.deepEqual(read[1], { id: id(2), image: "docker.io/library/new:1", imageRef: "y" });
  });

  test("a record whose ID is not its first field is still read whole", () => {
    const reordered = new ProtoWriter().message(4, new ProtoWriter().string(1, "docker.io/library/late-id:1")).string(5, "ref").string(1, id(9));
    const seen = new Map<string, ContainerImages>([[id(9), { id: id(9), image: "stale", imageRef: "stale" }]]);
    assert.deepEqual(decodeContainerImages(listing(reordered), seen), [{ id: id(9), image: "docker.io/library/late-id:1", imageRef: "ref" }]);
  });

  test("an empty listing is no containers; a truncated one is an error, not a shorter list", () => {
    assert.deepEqual(decodeContainerImages(Buffer.alloc(0)), []);
    const reply = listing(container(1, "docker.io/library/app:1", "x"));
    assert.throws(() => decodeContainerImages(reply.subarray(0, reply.length - 5)), /truncated/);
  });

  test("the reader's varints are exact beyond 2^32, and it skips every wire type", () => {
    const fixed64 = [0x09, 1, 2, 3, 4, 5, 6, 7, 8];
    const fixed32 = [0x15, 1, 2, 3, 4];
    const big = [0x18, 0x80, 0x80, 0x80, 0x80, 0x20]; // field 3 = 2^33
    const reader = new ProtoReader(Buffer.from([...fixed64, ...fixed32, ...big]));
    const seen: [number, number][] = [];
    let value = 0;
    while (reader.next()) {
      seen.push([reader.field, reader.wireType]);
      if (reader.field === 3) value = reader.varint();
      else reader.skip();
    }
    assert.deepEqual(seen, [[1, 1], [2, 5], [3, 0]]);
    assert.equal(value, 2 ** 33);
    const group = new ProtoReader(Buffer.from([0x0b])); // field 1, wire type 3 (a group: not in proto3)
    assert.equal(group.next(), true);
    assert.throws(() => {
      group.skip();
    }, /wire type 3/);
  });
});
