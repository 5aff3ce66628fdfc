import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { compileImagePattern } from "../../../src/images/match.ts";
import { PatternSet } from "../../../src/images/pattern-set.ts";
import type { ImageRecord } from "../../../src/images/record.ts";

const id = (c: string): string => `sha256:${c.repeat(64)}`;
const image = (partial: Partial<ImageRecord>): ImageRecord => ({
  id: id("0"),
  repoTags: [],
  repoDigests: [],
  pinned: false,
  sizeBytes: 1,
  ...partial,
});

const nginx = image({
  id: id("1"),
  repoTags: ["docker.io/library/nginx:1.25", "docker.io/library/nginx:latest"],
  repoDigests: [`docker.io/library/nginx@${id("d")}`],
});
const app = image({ id: id("2"), repoTags: ["localhost:5000/app:dev", "localhost:5000/app:v2"] });
const appTools = image({ id: id("3"), repoTags: ["localhost:5000/app-tools:1"] });
const quay = image({ id: id("4"), repoTags: ["quay.io/org/team/svc:1"], repoDigests: [`quay.io/org/team/svc@${id("e")}`] });
const untagged = image({ id: id("5"), repoDigests: [`docker.io/user/tool@${id("f")}`] });
const all = { nginx, app, appTools, quay, untagged };

describe("matching patterns against runtime image records", () => {
  const cases: [pattern: string, matching: (keyof typeof all)[]][] = [
    ["nginx", ["nginx"]],
    ["nginx:latest", ["nginx"]],
    ["nginx:1.25", ["nginx"]],
    ["docker.io/library/nginx:1.25", ["nginx"]],
    ["nginx:1.24", []],
    [id("1"), ["nginx"]],
    [id("d"), ["nginx"]],
    [`nginx@${id("d")}`, ["nginx"]],
    [`docker.io/library/nginx@${id("d")}`, ["nginx"]],
    [`nginx:1.25@${id("d")}`, ["nginx"]],
    [`nginx@${id("e")}`, []],
    ["docker.io/library/*", ["nginx"]],
    ["library/*", ["nginx"]],
    ["docker.io/*", ["nginx", "untagged"]],
    ["docker.io/user/*", ["untagged"]],
    ["quay.io/*", ["quay"]],
    ["quay.io/org/*", ["quay"]],
    ["localhost:5000/*", ["app", "appTools"]],
    ["localhost:5000/app:*", ["app"]],
    ["nginx:*", ["nginx"]],
    ["docker.io/library/nginx:*", ["nginx"]],
    ["user/tool:*", ["untagged"]],
    ["quay.io/org/team/svc:*", ["quay"]],
    ["localhost:5000/app:dev", ["app"]],
    ["localhost:5000/app", []],
  ];
  for (const [pattern, matching] of cases) {
    test(`${pattern} matches ${matching.length === 0 ? "nothing" : matching.join(", ")}`, () => {
      const compiled = compileImagePattern(pattern);
      const got = Object.entries(all)
        .filter(([, record]) => compiled.matches(record))
        .map(([name]) => name);
      assert.deepEqual(got, matching);
    });
  }

  test("localhost:5000/app:* splits at the last colon (Eraser splits at the first)", () => {
    const pattern = compileImagePattern("localhost:5000/app:*");
    assert.equal(pattern.matches(app), true);
    assert.equal(pattern.matches(appTools), false, "a different repository with the same prefix");
  });

  test("a set of patterns names the pattern that matched", () => {
    const patterns = new PatternSet(["quay.io/*", "nginx:*"].map(compileImagePattern));
    assert.equal(patterns.find(nginx)?.source, "nginx:*");
    assert.equal(patterns.find(app), undefined);
  });

  const bad: [string, RegExp][] = [
    ["*", /prune marker/],
    ["/*", /needs a prefix/],
    ["bad!/*", /not a valid repository prefix/],
    ["docker.io/Library/*", /not a valid repository prefix/],
    ["nginx:1.25:*", /not a repository name/],
    [":*", /not a repository name/],
    ["NGINX", /lowercase/],
  ];
  for (const [pattern, reason] of bad) {
    test(`malformed pattern ${JSON.stringify(pattern)} is refused`, () => {
      assert.throws(() => compileImagePattern(pattern), reason);
    });
  }
});
