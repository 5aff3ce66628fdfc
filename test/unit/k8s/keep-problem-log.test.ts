// What the informers say of objects they cannot fully read: each object and problem once, with the
// object's name, however often the object is updated.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { KeepProblemLog } from "../../../src/k8s/keep-problem-log.ts";
import { keepReporting, type KeepProblem } from "../../../src/k8s/keep.ts";
import { keepNode } from "../../../src/manager/cached-node.ts";
import { captureLog } from "../../harness/log-capture.ts";

describe("the informers' log of what they could not read", () => {
  test("a Node kept without a field is named once with the field, however many updates bring it; a refused object once per name", () => {
    const log = captureLog();
    const problems = new KeepProblemLog(log.logger);
    const odd = { metadata: { name: "n1" }, status: { conditions: "x" } };
    for (let update = 0; update < 3; update++) assert.equal(keepReporting(keepNode, odd, problems.report)?.metadata.name, "n1");
    assert.equal(keepReporting(keepNode, { metadata: { name: "n2" }, status: { conditions: "x" } }, problems.report)?.metadata.name, "n2");
    for (let update = 0; update < 2; update++) assert.equal(keepReporting(keepNode, { metadata: { name: 7 } }, problems.report), undefined);
    assert.equal(keepReporting(keepNode, { metadata: { name: "n3" } }, problems.report)?.metadata.name, "n3", "a well-formed node is kept");
    const lines = log.lines();
    assert.deepEqual(
      lines.map((l) => [l["level"], l["object"], l["msg"]]),
      [
        ["warn", "n1", "Keeping an object with fields of a shape the manager does not read; it goes on without them, as if they were not set"],
        ["warn", "n2", "Keeping an object with fields of a shape the manager does not read; it goes on without them, as if they were not set"],
        ["warn", "", "Ignoring an object without the fields the manager reads"],
      ],
    );
    assert.match(String((lines[0]?.["unread"] as string[])[0]), /^status\.conditions: /);
    assert.match(String(lines[2]?.["problem"]), /metadata\.name/);
  });

  test("keepReporting tells of nothing for an object read whole", () => {
    const told: KeepProblem[] = [];
    keepReporting(keepNode, { metadata: { name: "n" }, status: { conditions: [{ type: "Ready", status: "True" }] } }, (p) => told.push(p));
    assert.deepEqual(told, []);
  });
});
