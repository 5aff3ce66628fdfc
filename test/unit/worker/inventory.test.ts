import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { FakeCri } from "../../../src/cri/fake.ts";
import { takeInventory } from "../../../src/worker/inventory.ts";
import type { ContainerRecord, SandboxRecord } from "../../../src/cri/types.ts";
import { MountImages } from "../../../src/worker/mount-images.ts";

const sandbox = (id: string): SandboxRecord => ({ id, name: id, namespace: "default", state: "ready" });

const container = (id: string): ContainerRecord => ({ id, podSandboxId: "s", name: id, image: "docker.io/library/app:1", imageRef: "", state: "running", labels: {} });

describe("a node's inventory", () => {
  test("the images containers mount as image volumes are read from each container's status, once per container", async () => {
    const cri = new FakeCri([], [container("c1"), container("c2"), container("c3")]);
    cri.mountImages = { c1: ["sha256:" + "a".repeat(64)], c2: ["docker.io/library/data:1", "sha256:" + "a".repeat(64)] };
    const mounts = new MountImages(cri);
    const inventory = await takeInventory(cri, mounts);
    assert.deepEqual(inventory.mountImages.sort(), ["docker.io/library/data:1", "sha256:" + "a".repeat(64)]);
    assert.equal(cri.statusCalls, 3);
    cri.containers = [container("c2"), container("c4")];
    cri.mountImages["c4"] = ["docker.io/library/model:2"];
    assert.deepEqual((await mounts.of(cri.containers)).sort(), ["docker.io/library/data:1", "docker.io/library/model:2", "sha256:" + "a".repeat(64)]);
    assert.equal(cri.statusCalls, 4, "only the new container's status is asked");
  });

  test("a container gone between the listing and its status mounts nothing", async () => {
    const cri = new FakeCri([], [container("c1")]);
    cri.mountImages = { c1: ["docker.io/library/data:1"] };
    const listed = await cri.listContainerImages();
    cri.containers = [];
    assert.deepEqual(await new MountImages(cri).of(listed), []);
  });

  test("sandbox images are the configured one and every one a pod sandbox runs, each once", async () => {
    const cri = new FakeCri([], [], "registry.k8s.io/pause:3.10");
    cri.sandboxes = Array.from({ length: 20 }, (_, i) => sandbox(`sb-${i}`));
    // Pods started before the sandbox image changed keep the old one.
    for (const s of cri.sandboxes) cri.sandboxImages[s.id] = Number(s.id.slice(3)) < 5 ? "registry.k8s.io/pause:3.9" : "registry.k8s.io/pause:3.10";
    const inventory = await takeInventory(cri);
    assert.deepEqual(inventory.sandboxImages.sort(), ["registry.k8s.io/pause:3.10", "registry.k8s.io/pause:3.9"]);
  });

  test("without a configured sandbox image (containerd 2), the sandboxes still name theirs; a sandbox gone meanwhile names none", async () => {
    const cri = new FakeCri();
    cri.sandboxes = [sandbox("a"), sandbox("gone")];
    cri.sandboxImages = { a: "registry.k8s.io/pause:3.10" };
    assert.deepEqual((await takeInventory(cri)).sandboxImages, ["registry.k8s.io/pause:3.10"]);
  });
});
