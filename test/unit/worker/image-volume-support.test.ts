import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { FakeCri } from "../../../src/cri/fake.ts";
import { runtimeMountsImages } from "../../../src/worker/image-volume-support.ts";
import { MountImages } from "../../../src/worker/mount-images.ts";

const runtime = (runtimeName: string, runtimeVersion: string) => ({ runtimeName, runtimeVersion, runtimeApiVersion: "v1" });

describe("which runtimes are asked for image-volume mounts", () => {
  test("containerd before 2.1 has no image volumes, in the ways it writes its version", () => {
    for (const version of ["1.6.20~ds1", "v1.7.35", "1.7.27-0ubuntu1~22.04.1", "v2.0.7"]) assert.equal(runtimeMountsImages(runtime("containerd", version)), false, version);
  });

  test("containerd 2.1 and later, any other runtime, and a version that cannot be read are asked", () => {
    for (const version of ["v2.1.0", "2.4.2", "v3.0.0", "v10.0.1", "devel", ""]) assert.equal(runtimeMountsImages(runtime("containerd", version)), true, version);
    assert.equal(runtimeMountsImages(runtime("cri-o", "1.30.0")), true);
  });

  test("a MountImages that does not ask makes no status call and finds no mounts", async () => {
    const cri = new FakeCri([], [{ id: "c1", image: "docker.io/library/app:1", imageRef: "" }]);
    cri.mountImages = { c1: ["docker.io/library/data:1"] };
    assert.deepEqual(await new MountImages(cri, false).of(cri.containers), []);
    assert.equal(cri.statusCalls, 0);
    assert.deepEqual(await new MountImages(cri).of(cri.containers), ["docker.io/library/data:1"]);
  });
});
