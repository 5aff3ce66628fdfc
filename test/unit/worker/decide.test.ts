import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { decide, requestFromList, type ProtectedImages } from "../../../src/worker/decide.ts";
import { compileImagePattern } from "../../../src/images/match.ts";
import type { ImageRecord } from "../../../src/images/record.ts";
import type { ContainerRecord } from "../../../src/cri/types.ts";
import type { NodeInventory } from "../../../src/worker/inventory.ts";
import { podImagePatterns } from "../../../src/worker/pod-images.ts";
import { createLogger } from "../../../src/observability/logger.ts";

const id = (c: string): string => `sha256:${c.repeat(64)}`;
const img = (c: string, tag: string, extra: Partial<ImageRecord> = {}): ImageRecord => ({ id: id(c), repoTags: [tag], repoDigests: [], pinned: false, sizeBytes: 10, ...extra });
const container = (image: string, imageRef: string, state: ContainerRecord["state"]): ContainerRecord => ({ id: "c", podSandboxId: "s", name: "n", image, imageRef, state, labels: {} });

const inventory: NodeInventory = {
  images: [
    img("1", "docker.io/library/running:1"),
    img("2", "docker.io/library/created:1"),
    img("3", "docker.io/library/exited-by-name:1"),
    img("4", "registry.k8s.io/pause:3.9"),
    img("5", "docker.io/library/pinned:1", { pinned: true }),
    img("6", "docker.io/library/excluded:1"),
    img("7", "ghcr.io/eraser-ts/eraser-worker:v0.1.0"),
    img("8", "docker.io/library/unused:1"),
    img("9", "docker.io/library/unused:2"),
  ],
  containers: [
    container("docker.io/library/running:1", id("1"), "running"),
    container("", id("2"), "created"),
    container("exited-by-name:1", "", "exited"),
  ],
  mountImages: [],
  sandboxImages: ["registry.k8s.io/pause:3.9"],
};
const exclusions = [compileImagePattern("docker.io/library/excluded:*")];
const self: ProtectedImages = { selfImages: [compileImagePattern("ghcr.io/eraser-ts/eraser-worker:v0.1.0")], podImages: [] };
const withPods = (...refs: string[]): typeof self => ({ ...self, podImages: podImagePatterns(refs, createLogger({ level: "silent" })) });

describe("what a node removes", () => {
  test("an image a container mounts as an image volume is in use, by ID or by name, listed or pruned", () => {
    for (const mounted of [id("8"), "docker.io/library/unused:1"]) {
      const withMount = { ...inventory, mountImages: [mounted] };
      for (const request of [{ kind: "prune" as const }, requestFromList(["docker.io/library/unused:1"])]) {
        const d = decide(withMount, request, exclusions, self);
        assert.ok(!d.remove.some((i) => i.id === id("8")), `${mounted}: not removed`);
        assert.equal(d.kept.find((k) => k.image.id === id("8"))?.reason, "in-use");
      }
    }
    assert.ok(decide(inventory, { kind: "prune" }, exclusions, self).remove.some((i) => i.id === id("8")), "without the mount it goes");
  });

  test("prune: only unused images; in use (any state, by ID or name), sandbox, pinned, excluded and self stay, each with its reason", () => {
    const d = decide(inventory, { kind: "prune" }, exclusions, self);
    assert.deepEqual(d.remove.map((i) => i.repoTags[0]), ["docker.io/library/unused:1", "docker.io/library/unused:2"]);
    assert.deepEqual(
      d.kept.map((k) => [k.image.repoTags[0], k.reason]),
      [
        ["docker.io/library/running:1", "in-use"],
        ["docker.io/library/created:1", "in-use"],
        ["docker.io/library/exited-by-name:1", "in-use"],
        ["registry.k8s.io/pause:3.9", "sandbox"],
        ["docker.io/library/pinned:1", "pinned"],
        ["docker.io/library/excluded:1", "excluded"],
        ["ghcr.io/eraser-ts/eraser-worker:v0.1.0", "self"],
      ],
    );
  });

  test("every image a pod sandbox runs is kept, not only the runtime's configured one", () => {
    // After the runtime's sandbox image changed from 3.8 to 3.9, running pods keep 3.8.
    const images = [...inventory.images, img("a", "registry.k8s.io/pause:3.8")];
    const d = decide({ ...inventory, images, sandboxImages: ["registry.k8s.io/pause:3.9", "registry.k8s.io/pause:3.8"] }, { kind: "prune" }, exclusions, self);
    assert.deepEqual(
      d.kept.filter((k) => k.reason === "sandbox").map((k) => k.image.repoTags[0]),
      ["registry.k8s.io/pause:3.9", "registry.k8s.io/pause:3.8"],
    );
    const configOnly = decide({ ...inventory, images }, { kind: "prune" }, exclusions, self);
    assert.ok(configOnly.remove.some((i) => i.id === id("a")), "the control: known only by the config, 3.8 would go");
  });

  test("a list naming protected images still removes none of them", () => {
    const request = requestFromList(["running:1", "registry.k8s.io/pause:3.9", "pinned:1", "excluded:1", "unused:1", id("9")]);
    const d = decide(inventory, request, exclusions, self);
    assert.deepEqual(d.remove.map((i) => i.id), [id("8"), id("9")]);
    assert.equal(d.kept.filter((k) => k.reason === "not-listed").length, 3);
  });

  test("an image a pod on the node names is kept as awaited, by tag, digest or ID, even when listed; the others still go", () => {
    const digested = img("b", "docker.io/library/digested:1", { repoDigests: [`docker.io/library/digested@${id("c")}`] });
    const images = [...inventory.images, digested];
    const pods = withPods("unused:1", `docker.io/library/digested@${id("c")}`, id("9"), "running:1");
    const d = decide({ ...inventory, images }, { kind: "prune" }, exclusions, pods);
    assert.deepEqual(d.remove, []);
    assert.deepEqual(
      d.kept.filter((k) => k.reason === "awaited").map((k) => k.image.id),
      [id("8"), id("9"), id("b")],
      "an image a container uses stays in-use: awaited counts only what no container holds",
    );
    const listed = decide({ ...inventory, images }, requestFromList(["unused:1", "unused:2"]), exclusions, withPods("unused:1"));
    assert.deepEqual(listed.remove.map((i) => i.id), [id("9")], "a list naming the awaited image removes only the other one");
  });

  test("a pod image this worker cannot parse still keeps the image known by exactly that name", () => {
    const odd = img("d", "Registry.Example/Odd:1");
    const d = decide({ ...inventory, images: [odd] }, { kind: "prune" }, [], withPods("Registry.Example/Odd:1"));
    assert.deepEqual(d.kept.map((k) => [k.image.id, k.reason]), [[id("d"), "awaited"]]);
    assert.equal(decide({ ...inventory, images: [odd] }, { kind: "prune" }, [], withPods("registry.example/other:1")).remove.length, 1, "the control");
  });

  test('"*" anywhere in a list means prune; an empty list removes nothing', () => {
    assert.deepEqual(requestFromList(["nginx", "*"]), { kind: "prune" });
    assert.deepEqual(decide(inventory, requestFromList([]), [], { selfImages: [], podImages: [] }).remove, []);
  });

  test("a malformed list entry is refused before anything is decided", () => {
    assert.throws(() => requestFromList(["Bad:Ref"]), /lowercase/);
  });
});
