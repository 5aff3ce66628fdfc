// containerd restarts while the remover removes (a runtime upgrade on the node, a crash that
// systemd restarts). What a user needs then: no image removed without its in-use check, every
// image the node says it removed really gone, none gone that it does not account for, a result in
// the termination message, not a crash; and, since the runtime is back within a second, the run
// finished rather than the node failed for the rest of its images.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GrpcCriClient } from "../../src/cri/grpc-client.ts";
import { buildImageLayout, busyboxImage, importImages, markerImage, startContainerd } from "../harness/index.ts";
import { restartContainerd, sandboxImageRef, type ContainerdInstance } from "../harness/containerd.ts";
import { runContainer, runPodSandbox } from "../harness/cri-sandbox.ts";
import { waitFor } from "../harness/process.ts";
import { ensureWorkerBuilt, imagesWithDecision, runWorker } from "../harness/worker-run.ts";

const listed = Array.from({ length: 600 }, (_, i) => `docker.io/library/rr-${i}:1`);
const inUse = "docker.io/library/rr-in-use:1";
const tail = (log: string): string => log.trim().split("\n").filter((l) => !l.includes('"decision":"removed"')).slice(-8).join("\n");

test("containerd 1.6 restarts mid-removal: the remover waits for it and finishes, nothing in use goes, and the result counts exactly what went", async (t) => {
  ensureWorkerBuilt();
  const dir = mkdtempSync("/tmp/ets-rrestart-");
  let instance: ContainerdInstance | undefined;
  let cri: GrpcCriClient | undefined;
  try {
    instance = await startContainerd({ name: "rrestart", baseDir: join(dir, "ctd"), release: "1.6" });
    const tar = join(dir, "images.tar");
    const built = buildImageLayout([busyboxImage(inUse), ...listed.map((ref) => markerImage(ref))], tar);
    await importImages(instance, tar);
    const sandboxId = await runPodSandbox(instance.endpoint, "rrestart");
    await runContainer(instance.endpoint, { sandboxId, sandboxName: "rrestart", name: "app", image: inUse, command: ["/bin/sleep", "3600"] });
    const list = join(dir, "list.json");
    writeFileSync(list, JSON.stringify([inUse, ...listed]));
    cri = new GrpcCriClient(instance.endpoint);
    const watcher = cri;
    const before = new Set((await watcher.listImages()).map((i) => i.id));

    const removing = runWorker(["remover", `--runtime-endpoint=${instance.endpoint}`, `--imagelist=${list}`]);
    await waitFor("50 removals", async () => (await watcher.listImages()).length <= before.size - 50, { timeoutMs: 60_000 });
    watcher.close();
    const restartedAt = Date.now();
    instance = await restartContainerd(instance, sandboxImageRef);
    t.diagnostic(`containerd down and its CRI back in ${Date.now() - restartedAt} ms`);
    const run = await removing;

    cri = new GrpcCriClient(instance.endpoint);
    const after = new Set((await cri.listImages()).map((i) => i.id));
    const gone = [...before].filter((id) => !after.has(id)).sort();
    const removed = imagesWithDecision(run, "removed");
    const failed = imagesWithDecision(run, "failed");
    t.diagnostic(`exit ${run.exitCode}; removed ${removed.length}, failed ${failed.length}, gone ${gone.length} of ${listed.length}`);
    const inUseId = built[0]?.id ?? "";
    const again = run.logs.filter((l) => String(l["msg"]).startsWith("The connection to the runtime dropped"));
    t.diagnostic(`${again.length} images checked and removed once more after their call lost its reply`);
    assert.ok(after.has(inUseId), "the image a running container uses stays");
    assert.deepEqual(removed.filter((id) => after.has(id)), [], "every image the remover says it removed is gone");
    const accounted = new Set([...removed, ...failed]);
    assert.deepEqual(gone.filter((id) => !accounted.has(id)), [], "every image gone is one the remover accounts for");
    assert.ok(again.length > 0, "the restart cut into the run: calls in flight lost their replies");
    assert.deepEqual(failed, [], `no removal failed: the remover waited for the runtime and tried once more; its last lines:\n${tail(run.stdout + run.stderr)}`);
    assert.equal(removed.length, listed.length);
    assert.ok(run.result !== undefined, `the node's result is in the termination message:\n${run.stderr.slice(-2000)}`);
    assert.deepEqual({ removed: run.result.removed, failed: run.result.failed }, { removed: listed.length, failed: 0 });
    assert.equal(run.exitCode, 0);
  } finally {
    cri?.close();
    await instance?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
