import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { FakeCri } from "../../../src/cri/fake.ts";
import { takeInventory } from "../../../src/worker/inventory.ts";
import type { SandboxRecord } from "../../../src/cri/types.ts";

const sandbox = (id: string): SandboxRecord => ({ id, name: id, namespace: "default", state: "ready" });

describe("a node's inventory", () => {
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
