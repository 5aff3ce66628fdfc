import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { imagesNamedBy, NodePodsUnknownError } from "../../../src/manager/pods/node-pod-images.ts";

const pod = (phase: string | undefined, spec: Record<string, unknown>): unknown => ({ metadata: { name: "p", namespace: "ns" }, spec, ...(phase === undefined ? {} : { status: { phase } }) });

describe("the images a node's pods name", () => {
  test("init, regular and ephemeral containers of every pod that has not finished, once each, sorted", () => {
    const pods = [
      pod("Pending", { initContainers: [{ name: "wait", image: "busybox:1" }], containers: [{ name: "app", image: "app:2" }] }),
      pod("Running", { containers: [{ name: "app", image: "app:2" }, { name: "side", image: "proxy@sha256:" + "c".repeat(64) }], ephemeralContainers: [{ name: "debug", image: "debug:1" }] }),
      pod(undefined, { containers: [{ name: "just-bound", image: "fresh:1" }] }),
      pod("Unknown", { containers: [{ name: "lost", image: "lost:1" }] }),
    ];
    assert.deepEqual(imagesNamedBy(pods), ["app:2", "busybox:1", "debug:1", "fresh:1", "lost:1", "proxy@sha256:" + "c".repeat(64)]);
  });

  test("the images a pod mounts as image volumes are kept too; other volumes name none", () => {
    const pod = {
      metadata: { name: "model-server", namespace: "ml" },
      spec: {
        containers: [{ image: "docker.io/library/server:1" }],
        volumes: [{ name: "model", image: { reference: "registry.example/models/llama:7b", pullPolicy: "IfNotPresent" } }, { name: "cache", emptyDir: {} }, { name: "cfg", configMap: { name: "x" } }],
      },
      status: { phase: "Pending" },
    };
    assert.deepEqual(imagesNamedBy([pod]), ["docker.io/library/server:1", "registry.example/models/llama:7b"]);
  });

  test("a pod that succeeded or failed runs nothing again: its images are not kept for it", () => {
    const pods = [pod("Succeeded", { containers: [{ name: "job", image: "batch:1" }] }), pod("Failed", { containers: [{ name: "job", image: "broken:1" }] })];
    assert.deepEqual(imagesNamedBy(pods), []);
  });

  test("a pod that cannot be read stops the list rather than being skipped", () => {
    assert.throws(() => imagesNamedBy([pod("Running", { containers: [{ name: "x", image: 7 }] })]), /a pod cannot be read for its images/);
  });

  test("a failed listing names the node and keeps the API server's status, so a refusal is told from a passing failure", () => {
    const refused = Object.assign(new Error("HTTP-Code: 403"), { code: 403, body: JSON.stringify({ message: 'pods is forbidden: User "x" cannot list resource "pods"' }) });
    const error = new NodePodsUnknownError("node-7", refused);
    assert.equal(error.code, 403);
    assert.match(error.message, /could not list the pods on node node-7, whose images the worker must keep: HTTP 403: pods is forbidden/);
  });
});
