// The CRDs on a real kube-apiserver v1.37: the AKS docs' ImageList round-trips unchanged, and the
// server itself refuses an invalid one with a schema error.
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot, sharedCluster, type TestCluster } from "../harness/index.ts";

// The ImageList from the AKS Image Cleaner docs, unchanged.
const aksImageList = readFileSync(new URL("../fixtures/aks-imagelist.yaml", import.meta.url), "utf8");

let cluster: TestCluster;

before(async () => {
  cluster = await sharedCluster();
  const applied = await cluster.kubectl(["apply", "-f", join(repoRoot, "crds")]);
  assert.equal(applied.exitCode, 0, applied.stderr);
  const established = await cluster.kubectl(["wait", "--for=condition=Established", "--timeout=60s", "crd/imagelists.eraser.sh", "crd/imagejobs.eraser.sh"]);
  assert.equal(established.exitCode, 0, established.stderr);
});

describe("CRDs on a real API server", () => {
  test("the AKS docs' ImageList is created unchanged and reads back", async () => {
    await cluster.kubectl(["delete", "imagelist", "imagelist", "--ignore-not-found"]);
    const created = await cluster.kubectl(["create", "-f", "-"], { input: aksImageList });
    assert.equal(created.exitCode, 0, created.stderr);
    const read = await cluster.kubectl(["get", "imagelist", "imagelist", "-o", "jsonpath={.apiVersion} {.spec.images}"]);
    assert.equal(read.stdout, 'eraser.sh/v1 ["docker.io/library/alpine:3.7.3"]');
    await cluster.kubectl(["delete", "imagelist", "imagelist"]);
  });

  test("an ImageList without spec.images is refused by the server's schema", async () => {
    const result = await cluster.kubectl(["create", "-f", "-"], { input: "apiVersion: eraser.sh/v1\nkind: ImageList\nmetadata: {name: bad-missing}\nspec: {}\n" });
    assert.notEqual(result.exitCode, 0);
    assert.match(result.stderr, /spec\.images: Required value/);
  });

  test("an ImageList with an empty image entry is refused by the server's schema", async () => {
    const result = await cluster.kubectl(["create", "-f", "-"], { input: 'apiVersion: eraser.sh/v1\nkind: ImageList\nmetadata: {name: bad-empty}\nspec: {images: [""]}\n' });
    assert.notEqual(result.exitCode, 0);
    assert.match(result.stderr, /spec\.images\[0\].*(at least 1|should be at least 1 chars long)/);
  });

  test("v1alpha1 is still served, with a deprecation warning", async () => {
    const manifest = "apiVersion: eraser.sh/v1alpha1\nkind: ImageList\nmetadata: {name: old-style}\nspec: {images: ['*']}\n";
    const result = await cluster.kubectl(["create", "-f", "-"], { input: manifest });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stderr, /eraser\.sh\/v1alpha1 ImageList is deprecated/);
    await cluster.kubectl(["delete", "imagelist", "old-style"]);
  });

  test("kubectl get imagejobs shows phase, desired, succeeded and failed", async () => {
    const job = "apiVersion: eraser.sh/v1\nkind: ImageJob\nmetadata: {name: columns-check}\n";
    assert.equal((await cluster.kubectl(["create", "-f", "-"], { input: job })).exitCode, 0);
    const patch = '{"status":{"phase":"Completed","desired":3,"succeeded":2,"failed":0,"skipped":1}}';
    const patched = await cluster.kubectl(["patch", "imagejob", "columns-check", "--subresource=status", "--type=merge", "-p", patch]);
    assert.equal(patched.exitCode, 0, patched.stderr);
    const table = await cluster.kubectl(["get", "imagejob", "columns-check"]);
    assert.match(table.stdout, /NAME\s+PHASE\s+DESIRED\s+SUCCEEDED\s+FAILED\s+AGE/);
    assert.match(table.stdout, /columns-check\s+Completed\s+3\s+2\s+0\s+/);
    await cluster.kubectl(["delete", "imagejob", "columns-check"]);
  });
});
