import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { ImageListSchema } from "../../../src/api/imagelist.ts";
import { ImageJobSchema } from "../../../src/api/imagejob.ts";

// The ImageList from the AKS Image Cleaner docs, unchanged.
const aksImageList = readFileSync(new URL("../../fixtures/aks-imagelist.yaml", import.meta.url), "utf8");

describe("ImageList and ImageJob objects", () => {
  test("the ImageList from the AKS Image Cleaner docs parses unchanged", () => {
    const list = ImageListSchema.parse(parse(aksImageList));
    assert.equal(list.metadata.name, "imagelist");
    assert.deepEqual(list.spec.images, ["docker.io/library/alpine:3.7.3"]);
  });

  test("v1alpha1 ImageLists and the prune marker are accepted", () => {
    const list = ImageListSchema.parse({ apiVersion: "eraser.sh/v1alpha1", kind: "ImageList", metadata: { name: "imagelist" }, spec: { images: ["*"] } });
    assert.deepEqual(list.spec.images, ["*"]);
  });

  test("an ImageList without images, or with an empty entry, is refused", () => {
    assert.throws(() => ImageListSchema.parse({ apiVersion: "eraser.sh/v1", kind: "ImageList", metadata: { name: "x" }, spec: {} }));
    const empty = ImageListSchema.safeParse({ apiVersion: "eraser.sh/v1", kind: "ImageList", metadata: { name: "x" }, spec: { images: [""] } });
    assert.equal(empty.success, false);
    assert.match(JSON.stringify(empty.error), /must not be empty/);
  });

  test("an ImageJob as the API server returns it, extra fields and all", () => {
    const job = ImageJobSchema.parse({
      apiVersion: "eraser.sh/v1",
      kind: "ImageJob",
      metadata: { name: "imagejob-abc", uid: "u", managedFields: [{}], generation: 1 },
      status: { desired: 3, succeeded: 2, failed: 0, skipped: 1, phase: "Completed", removed: 7, futureField: true },
    });
    assert.equal(job.status?.phase, "Completed");
    assert.throws(() => ImageJobSchema.parse({ apiVersion: "eraser.sh/v1", kind: "ImageJob", metadata: { name: "j" }, status: { phase: "Done" } }));
  });
});
