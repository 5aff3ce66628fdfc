import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { ImageJob } from "../../../src/api/imagejob.ts";
import type { ImageList } from "../../../src/api/imagelist.ts";
import { ranByAnotherManager } from "../../../src/manager/controllers/imagelist-runs.ts";

const list = (status?: ImageList["status"]): ImageList => ({ apiVersion: "eraser.sh/v1", kind: "ImageList", metadata: { name: "imagelist", uid: "list-uid", generation: 1 }, spec: { images: ["busybox:1.0"] }, ...(status === undefined ? {} : { status }) });
const ranAt = { timestamp: "2026-11-20T10:00:00Z", success: 3, failed: 0, skipped: 0 };

function job(phase: "Running" | "Completed" | "Failed", options: { ours?: boolean; owner?: string } = {}): ImageJob {
  return {
    apiVersion: "eraser.sh/v1",
    kind: "ImageJob",
    metadata: {
      name: `job-${phase}`,
      ownerReferences: [{ apiVersion: "eraser.sh/v1", kind: "ImageList", name: "imagelist", uid: options.owner ?? "list-uid" }],
      ...(options.ours === true ? { annotations: { "eraser.sh/mode": "manual" } } : {}),
    },
    status: { phase },
  };
}

describe("a list another manager ran", () => {
  test("has a result, and no job it owns that is ours, unfinished or failed", () => {
    assert.equal(ranByAnotherManager(list(ranAt), []), true, "Eraser ran it; its job is gone");
    assert.equal(ranByAnotherManager(list(ranAt), [job("Completed")]), true, "Eraser's job is still there, completed");
    assert.equal(ranByAnotherManager(list(ranAt), [job("Running", { owner: "another-list" })]), true, "another list's job is not this one's");
  });
  test("is not one without a result, one whose last run failed or still runs, or one this project ran", () => {
    assert.equal(ranByAnotherManager(list(), []), false, "never run");
    assert.equal(ranByAnotherManager(list(ranAt), [job("Failed")]), false, "its run was cut short: run it");
    assert.equal(ranByAnotherManager(list(ranAt), [job("Running")]), false, "still running");
    assert.equal(ranByAnotherManager(list(ranAt), [job("Completed", { ours: true })]), false, "ours: its generation comes from the job");
  });
});
