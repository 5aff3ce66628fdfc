// A set of patterns found by lookup gives the answer a search in list order gives: the first
// pattern that matches, whatever mix of exact references, IDs, digests, wildcards and patterns
// without a key it holds.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { compileImagePattern, type ImagePattern } from "../../../src/images/match.ts";
import { PatternSet } from "../../../src/images/pattern-set.ts";
import type { ImageRecord } from "../../../src/images/record.ts";
import { manyTeamsImages } from "../../harness/large-lists.ts";

const id = (c: string): string => `sha256:${c.repeat(64)}`;
const image = (partial: Partial<ImageRecord>): ImageRecord => ({ id: id("0"), repoTags: [], repoDigests: [], pinned: false, sizeBytes: 1, ...partial });

const images: ImageRecord[] = [
  image({ id: id("1"), repoTags: ["docker.io/library/nginx:1.25", "docker.io/library/nginx:latest"], repoDigests: [`docker.io/library/nginx@${id("a")}`] }),
  image({ id: id("2"), repoTags: ["quay.io/org/app:2"], repoDigests: [`quay.io/org/app@${id("b")}`] }),
  image({ id: id("3"), repoTags: ["localhost:5000/app:1"] }),
  image({ id: id("4"), repoTags: [], repoDigests: [`docker.io/library/busybox@${id("c")}`] }),
  image({ id: id("5"), repoTags: ["registry.k8s.io/pause:3.10"] }),
];

const sources = [
  "nginx", "nginx:1.25", "docker.io/library/nginx:1.26", `nginx@${id("a")}`, `nginx:1.25@${id("a")}`, id("1"), id("a"), id("c"),
  "quay.io/org/app:2", "quay.io/*", "nginx:*", "localhost:5000/app:*", "localhost:5000/app:1", "library/*", `busybox@${id("c")}`,
  "registry.k8s.io/pause:3.10", "registry.k8s.io/*", "app:1", `quay.io/org/app@${id("a")}`,
];

/** A fixed shuffle (a linear congruential generator), so a failure names an order that repeats. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** Patterns without a key, as the worker makes for a pod's image name it cannot parse: tried in order. */
const unkeyed: ImagePattern[] = [
  { source: "unkeyed: id 3", matches: (record) => record.id === id("3") },
  { source: "unkeyed: any nginx tag", matches: (record) => record.repoTags.some((tag) => tag.includes("nginx")) },
];
const compile = (source: string): ImagePattern => unkeyed.find((p) => p.source === source) ?? compileImagePattern(source);

const oneByOne = (patterns: readonly ImagePattern[], record: ImageRecord): string | undefined => patterns.find((p) => p.matches(record))?.source;

describe("a set of image patterns", () => {
  test("finds, for every image, the pattern a search in list order finds, in 200 orders and subsets", () => {
    for (let seed = 1; seed <= 200; seed++) {
      const all = [...sources, ...unkeyed.map((p) => p.source)];
      const chosen = shuffled(all, seed).slice(0, 1 + (seed % all.length));
      const patterns = chosen.map(compile);
      const set = new PatternSet(patterns);
      for (const record of images) assert.equal(set.find(record)?.source, oneByOne(patterns, record), `seed ${seed}: ${chosen.join(" ")} against ${record.id}`);
    }
  });

  test("names the first pattern in list order, exact or wildcard", () => {
    const nginx = images[0];
    assert.ok(nginx);
    assert.equal(new PatternSet(["quay.io/*", "nginx:*", "nginx:1.25"].map(compileImagePattern)).find(nginx)?.source, "nginx:*");
    assert.equal(new PatternSet(["nginx:1.25", "nginx:*"].map(compileImagePattern)).find(nginx)?.source, "nginx:1.25");
    assert.equal(new PatternSet([id("a"), "nginx"].map(compileImagePattern)).find(nginx)?.source, id("a"), "an image's digest is one of its IDs");
    assert.equal(new PatternSet(["quay.io/*"].map(compileImagePattern)).find(nginx), undefined);
    assert.equal(new PatternSet([]).find(nginx), undefined);
    assert.equal(new PatternSet([...unkeyed, compileImagePattern("nginx")]).find(nginx)?.source, "unkeyed: any nginx tag", "a pattern without a key, first in order");
  });

  test("a registry-wide list of 16,000 references finds exactly the listed images among 500", () => {
    const store = Array.from({ length: 500 }, (_, i) => image({ id: `sha256:${i.toString(16).padStart(64, "0")}`, repoTags: [`docker.io/library/app-${i}:1`] }));
    const listedIds = new Set(store.filter((_, i) => i % 7 === 0).map((record) => record.id));
    const set = new PatternSet([...manyTeamsImages(), ...listedIds].map(compileImagePattern));
    assert.deepEqual(store.filter((record) => set.find(record) !== undefined).map((record) => record.id), [...listedIds]);
  });
});
