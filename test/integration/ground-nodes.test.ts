// Two real kubelet nodes on containerd: images imported into each node, a pod per node that
// mounts the node's runtime socket runs to completion, `kubectl logs` reads it through the
// kubelet, and the node's runtime holds exactly the images and containers the test made.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { CoreV1Api } from "@kubernetes/client-node";
import { execFileSync } from "node:child_process";
import { containerd2Version } from "../harness/paths.ts";
import { buildImageLayout, busyboxImage, ctr, importImages, sharedCluster, startContainerd, type TestCluster } from "../harness/index.ts";

let cluster: TestCluster;
let core: CoreV1Api;
const work = mkdtempSync("/tmp/ets-ground-");
const namespace = "ground-nodes";

before(async () => {
  cluster = await sharedCluster();
  core = cluster.kubeConfig().makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: namespace } } });
});
after(async () => {
  // node:test skips `before` when a name filter leaves no test here, but still runs `after`.
  if ((core as CoreV1Api | undefined) === undefined) return;
  await core.deleteNamespace({ name: namespace }).catch(() => undefined);
  rmSync(work, { recursive: true, force: true });
});

async function waitForPhase(name: string, phases: string[]): Promise<string> {
  for (let i = 0; i < 600; i++) {
    const pod = await core.readNamespacedPod({ name, namespace });
    const phase = pod.status?.phase ?? "";
    if (phases.includes(phase)) return phase;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`pod ${name} never reached ${phases.join("/")}`);
}

describe("real nodes", () => {
  test("two nodes are Ready and run a pod each that sees its runtime socket", async () => {
    const nodes = cluster.realNodes();
    assert.ok(nodes.length >= 2, "the tier runner starts two real nodes");
    const runtimes = await Promise.all(nodes.slice(0, 2).map(async (n) => (await core.readNode({ name: n.name })).status?.nodeInfo?.containerRuntimeVersion));
    assert.match(runtimes[0] ?? "", /^containerd:\/\/1\.6\./, "node-1 runs Debian's containerd 1.6");
    assert.equal(runtimes[1], `containerd://${containerd2Version.replace(/^v/, "")}`, "node-2 runs containerd 2");
    for (const [i, node] of nodes.slice(0, 2).entries()) {
      const ref = `docker.io/library/ground-test-${i}:1`;
      const tar = join(work, `node-${i}.tar`);
      const [built] = buildImageLayout([busyboxImage(ref, `marker-${node.name}`)], tar);
      await importImages(node.containerd, tar);
      const podName = `ground-${i}`;
      await core.createNamespacedPod({
        namespace,
        body: {
          metadata: { name: podName },
          spec: {
            nodeName: node.name,
            restartPolicy: "Never",
            automountServiceAccountToken: false,
            containers: [
              {
                name: "main",
                image: ref,
                imagePullPolicy: "Never",
                command: ["/bin/sh", "-c", "test -S /run/cri/cri.sock && echo socket ok && echo hello from $(cat /etc/marker)"],
                volumeMounts: [{ name: "runtime", mountPath: "/run/cri/cri.sock" }],
              },
            ],
            volumes: [{ name: "runtime", hostPath: { path: node.containerd.socket, type: "Socket" } }],
          },
        },
      });
      assert.equal(await waitForPhase(podName, ["Succeeded", "Failed"]), "Succeeded");
      const logs = await cluster.kubectl(["logs", "-n", namespace, podName]);
      assert.equal(logs.exitCode, 0, logs.stderr);
      assert.equal(logs.stdout, `socket ok\nhello from marker-${node.name}\n`);

      const images = await ctr(node.containerd.socket, ["images", "ls", "-q"]);
      assert.ok(images.split("\n").includes(ref), `${ref} is in ${node.name}'s runtime`);
      assert.ok(images.includes(built!.id), "and so is its image ID");
      const containers = await ctr(node.containerd.socket, ["containers", "ls"]);
      assert.match(containers, new RegExp(`docker.io/library/ground-test-${i}:1`), "the pod's container used the test's image");
      const other = i === 0 ? "docker.io/library/ground-test-1:1" : "docker.io/library/ground-test-0:1";
      assert.ok(!images.split("\n").includes(other), "each node has only its own test image");
    }
  });

  test("stopping a containerd leaves none of its shims, containers or runc state behind", async () => {
    const containerd = await startContainerd({ name: "shim-check", baseDir: join(work, "shim-check") });
    const tar = join(work, "shim-check.tar");
    buildImageLayout([busyboxImage("docker.io/library/shim-check:1")], tar);
    await importImages(containerd, tar);
    const id = `shim-check-${process.pid}`;
    await ctr(containerd.socket, ["run", "-d", "docker.io/library/shim-check:1", id, "/bin/sleep", "600"]);
    const ours = (): string => {
      try {
        return execFileSync("pgrep", ["-f", "--", `-address ${containerd.socket}`], { encoding: "utf8" });
      } catch {
        return "";
      }
    };
    assert.notEqual(ours(), "", "the container's shim runs while containerd does");
    await containerd.stop();
    assert.equal(ours(), "", "no shim is left behind");
    // runc keeps its state outside the instance's directory; the shim removes it on a forced delete.
    assert.ok(!existsSync(join("/run/containerd/runc/k8s.io", id)), "no runc state is left behind");
  });
});
