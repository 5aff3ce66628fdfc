// containerd restarts while the remover removes (a runtime upgrade on the node, a crash that
// systemd restarts). Its calls fail for as long as the runtime is down. What a user needs then: no
// image removed without its in-use check, every image the node says it removed really gone, none
// gone that it does not account for, and a result in the termination message, not a crash.
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

test("containerd 1.6 restarts mid-removal: nothing in use goes, every image the result counts removed is gone, and nothing goes unaccounted", async (t) => {
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
    assert.ok(after.has(inUseId), "the image a running container uses stays");
    assert.deepEqual(removed.filter((id) => after.has(id)), [], "every image the remover says it removed is gone");
    const accounted = new Set([...removed, ...failed]);
    assert.deepEqual(gone.filter((id) => !accounted.has(id)), [], "every image gone is one the remover removed, or one whose removal it reports failed (its reply lost in the restart)");
    assert.ok(failed.length > 0, "the restart cut some removals short: the test saw the runtime go away mid-run");
    assert.ok(run.result !== undefined, `the node's result is in the termination message:\n${run.stderr.slice(-2000)}`);
    assert.deepEqual({ removed: run.result.removed, failed: run.result.failed }, { removed: removed.length, failed: failed.length }, `the result counts what the log says; its last lines:\n${tail(run.stdout + run.stderr)}`);
    assert.equal(run.exitCode, 1, "a node with failed removals fails");
    assert.match(run.logs.find((l) => l["decision"] === "failed")?.["reason"]?.toString() ?? "", /cannot be reached|UNAVAILABLE|did not answer/);
  } finally {
    cri?.close();
    await instance?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
