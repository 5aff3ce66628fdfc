import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { compileNodeFilter, compileSelector } from "../../../src/manager/node-filter.ts";

describe("label selectors", () => {
  const cases: [string, Record<string, string>, boolean][] = [
    ["kubernetes.io/os=windows", { "kubernetes.io/os": "windows" }, true],
    ["kubernetes.io/os==windows", { "kubernetes.io/os": "linux" }, false],
    ["pool!=spot", { pool: "spot" }, false],
    ["pool!=spot", {}, true],
    ["pool in (a, b)", { pool: "b" }, true],
    ["pool notin (a,b)", { pool: "c" }, true],
    ["pool notin (a,b)", {}, true],
    ["gpu", { gpu: "" }, true],
    ["!gpu", { gpu: "1" }, false],
    ["pool=a,zone in (x,y)", { pool: "a", zone: "y" }, true],
    ["pool=a,zone in (x,y)", { pool: "a", zone: "z" }, false],
  ];
  for (const [selector, labels, expected] of cases) {
    test(`${selector} on ${JSON.stringify(labels)} -> ${expected}`, () => {
      assert.equal(compileSelector(selector)(labels), expected);
    });
  }
  test("a selector that does not parse is refused, naming it", () => {
    assert.throws(() => compileSelector("pool in a,b"), /invalid node selector "pool in a,b"/);
  });
});

describe("node filter", () => {
  test("exclude (the default): skip nodes matching any selector, and always the cleanup-filter label", () => {
    const keep = compileNodeFilter({ type: "exclude", selectors: ["eraser.sh/cleanup.filter", "kubernetes.io/os=windows"] });
    assert.equal(keep({ "kubernetes.io/os": "linux" }), true);
    assert.equal(keep({ "kubernetes.io/os": "windows" }), false);
    assert.equal(keep({ "eraser.sh/cleanup.filter": "" }), false);
  });
  test("include: only nodes matching a selector, and never one with the cleanup-filter label", () => {
    const keep = compileNodeFilter({ type: "include", selectors: ["eraser.sh/cleanup.filter", "pool=batch"] });
    assert.equal(keep({ pool: "batch" }), true);
    assert.equal(keep({ pool: "web" }), false);
    assert.equal(keep({ pool: "batch", "eraser.sh/cleanup.filter": "true" }), false);
  });
  test("a node that runs another OS than Linux is left out whatever the filter says; one without the OS label is taken for Linux", () => {
    const noSelector = compileNodeFilter({ type: "exclude", selectors: [] });
    assert.equal(noSelector({ "kubernetes.io/os": "windows" }), false, "a config without Eraser's windows selector");
    assert.equal(noSelector({ "kubernetes.io/os": "linux" }), true);
    assert.equal(noSelector({}), true);
    const included = compileNodeFilter({ type: "include", selectors: ["agentpool=win"] });
    assert.equal(included({ agentpool: "win", "kubernetes.io/os": "windows" }), false, "an include filter that matches a Windows pool");
    assert.equal(included({ agentpool: "win", "kubernetes.io/os": "linux" }), true);
  });
});
