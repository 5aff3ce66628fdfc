// A node's failure reason names what the kubelet said was wrong with its worker pod, and a pod that
// can never run fails its node at once instead of at the pod timeout. Pods go through keepPod, as
// the manager's cache holds them, so a field the cache dropped would fail these tests too.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { jobProgress } from "../../../src/manager/controllers/job-progress.ts";
import { keepPod, type CachedPod } from "../../../src/manager/cached-objects.ts";

const created = "2026-11-24T10:00:00Z";
const oneMinuteIn = Date.parse(created) + 60_000;
const afterTimeout = Date.parse(created) + 700_000;
const podTimeoutMs = 600_000;

type State = Record<string, unknown>;
const running: State = { running: { startedAt: created } };
const creating: State = { waiting: { reason: "ContainerCreating" } };

/** A worker pod as the kubelet reports it in a watch event: JSON, one state per container. */
function pod(status: { phase: string; reason?: string; message?: string; containers?: Record<string, State>; deletedAt?: string }): CachedPod {
  const containerStatuses = Object.entries(status.containers ?? {}).map(([name, state]) => ({ name, image: "ghcr.io/eraser-ts/eraser-worker:v0.1.0", ready: false, restartCount: 0, state }));
  const raw = {
    metadata: { name: "eraser-node-a-x7k2p", namespace: "eraser-system", creationTimestamp: created, ...(status.deletedAt === undefined ? {} : { deletionTimestamp: status.deletedAt }) },
    spec: { nodeName: "node-a" },
    status: { phase: status.phase, ...(status.reason === undefined ? {} : { reason: status.reason, message: status.message }), ...(status.containers === undefined ? {} : { containerStatuses }) },
  };
  const kept = keepPod(raw);
  if ("refused" in kept) throw new Error(kept.refused);
  return kept.object;
}

function failureAt(nowMs: number, p: CachedPod): { failed: number; running: number; reason: string | undefined } {
  const progress = jobProgress([p], nowMs, { podTimeoutMs, scanTimeoutMs: 0 });
  return { failed: progress.failed, running: progress.running, reason: progress.failures[0]?.reason };
}

const pullError =
  'failed to pull and unpack image "localhost/eraser-ts/absent:nope": failed to resolve reference "localhost/eraser-ts/absent:nope": failed to do request: Head "https://localhost/v2/eraser-ts/absent/manifests/nope": dial tcp [::1]:443: connect: connection refused';

describe("what a node's failure says about its worker pod", () => {
  test("an image name the kubelet cannot parse fails the node at once, naming the container", () => {
    const invalid = pod({
      phase: "Pending",
      containers: {
        collector: running,
        remover: { waiting: { reason: "InvalidImageName", message: 'Failed to apply default image tag "localhost/Eraser/worker:1": couldn\'t parse image name: invalid reference format: repository name must be lowercase' } },
      },
    });
    const { failed, running: stillRunning, reason } = failureAt(oneMinuteIn, invalid);
    assert.deepEqual({ failed, stillRunning }, { failed: 1, stillRunning: 0 }, "failed a minute in, not after the 10-minute pod timeout");
    assert.match(reason ?? "", /^worker pod eraser-node-a-x7k2p can never run: container remover cannot start \(InvalidImageName: Failed to apply default image tag "localhost\/Eraser\/worker:1".*must be lowercase\)$/);
  });

  test("an image that cannot be pulled waits for the pod timeout (a registry may come back), then is named", () => {
    const pulling = pod({ phase: "Pending", containers: { collector: running, remover: { waiting: { reason: "ImagePullBackOff", message: `Back-off pulling image "localhost/eraser-ts/absent:nope": ErrImagePull: ${pullError}` } } } });
    assert.deepEqual(failureAt(oneMinuteIn, pulling), { failed: 0, running: 1, reason: undefined });
    const { reason } = failureAt(afterTimeout, pulling);
    assert.match(reason ?? "", /^worker pod eraser-node-a-x7k2p did not finish within 600 s \(Pending\): container remover cannot start \(ImagePullBackOff: Back-off pulling image "localhost\/eraser-ts\/absent:nope": ErrImagePull: failed to pull/);
    assert.ok((reason ?? "").length < 500, `the kubelet's message is clipped: ${reason?.length ?? 0} characters`);
    assert.match(reason ?? "", /…\)$/);
  });

  test("an OOM-killed remover names the setting that sizes it", () => {
    const oom = pod({ phase: "Failed", containers: { collector: { terminated: { exitCode: 0, reason: "Completed" } }, remover: { terminated: { exitCode: 137, reason: "OOMKilled" } } } });
    assert.equal(failureAt(oneMinuteIn, oom).reason, "worker exited 137: container remover ran out of memory (OOMKilled, exit 137; its limit is components.remover.limit.memory)");
  });

  test("the remover's own reason comes first and the kubelet's cause follows it", () => {
    const error = "trivy-scanner stopped without finishing (no sign of life for 60 s: killed, or out of memory?); removing nothing";
    const result = JSON.stringify({ v: 1, dryRun: false, removed: 0, removedBytes: 0, vulnerable: 0, kept: {}, failed: 0, failures: [], error });
    const scannerOom = pod({
      phase: "Failed",
      containers: { collector: { terminated: { exitCode: 0, reason: "Completed" } }, "trivy-scanner": { terminated: { exitCode: 137, reason: "OOMKilled" } }, remover: { terminated: { exitCode: 1, reason: "Error", message: result } } },
    });
    assert.equal(failureAt(oneMinuteIn, scannerOom).reason, `${error}: container trivy-scanner ran out of memory (OOMKilled, exit 137; its limit is components.scanner.limit.memory)`);
  });

  test("a remover that could not remove some images says how many and why, not only its exit code", () => {
    const why = "not removed: its in-use check failed: CRI runtime at unix:///run/cri/cri.sock: cannot be reached (Connection dropped)";
    const result = JSON.stringify({ v: 1, dryRun: false, removed: 47, removedBytes: 4700, vulnerable: 0, kept: {}, failed: 553, failures: [{ image: "sha256:ab8a", reason: why }] });
    const cutShort = pod({ phase: "Failed", containers: { remover: { terminated: { exitCode: 1, reason: "Error", message: result } } } });
    assert.equal(failureAt(oneMinuteIn, cutShort).reason, `553 of 600 removals failed; the first: sha256:ab8a: ${why}`);
  });

  test("a pod someone deleted while it ran says so (a live kubelet reports it Failed before it goes)", () => {
    const deleted = pod({ phase: "Failed", deletedAt: created, containers: { remover: { terminated: { exitCode: 143, reason: "Error" } } } });
    assert.equal(failureAt(oneMinuteIn, deleted).reason, "worker exited 143: the pod was deleted while it ran (kubectl delete pod, a drain?)");
  });

  test("an evicted pod says why the kubelet evicted it", () => {
    const evicted = pod({ phase: "Failed", reason: "Evicted", message: "The node was low on resource: ephemeral-storage. Threshold quantity: 1Gi, available: 512Mi. ", containers: { remover: { terminated: { exitCode: 137, reason: "ContainerStatusUnknown" } } } });
    assert.equal(
      failureAt(oneMinuteIn, evicted).reason,
      "worker exited 137: pod Evicted: The node was low on resource: ephemeral-storage. Threshold quantity: 1Gi, available: 512Mi.; container remover ended with ContainerStatusUnknown (exit 137)",
    );
  });

  test("a pod the kubelet never reported on, or whose containers are still being created, says so at the timeout", () => {
    assert.equal(failureAt(afterTimeout, pod({ phase: "Pending" })).reason, "worker pod eraser-node-a-x7k2p did not finish within 600 s (Pending): the node's kubelet has reported no container of it (is the node NotReady?)");
    assert.equal(
      failureAt(afterTimeout, pod({ phase: "Pending", containers: { collector: creating, remover: creating } })).reason,
      "worker pod eraser-node-a-x7k2p did not finish within 600 s (Pending): its containers are still being created (a volume that cannot be mounted? see the pod's events)",
    );
  });

  test("a pod that runs or ends in the ordinary way adds no cause", () => {
    const slow = pod({ phase: "Running", containers: { collector: { terminated: { exitCode: 0, reason: "Completed" } }, remover: running } });
    assert.equal(failureAt(afterTimeout, slow).reason, "worker pod eraser-node-a-x7k2p did not finish within 600 s (Running)");
    const exited = pod({ phase: "Failed", containers: { remover: { terminated: { exitCode: 3, reason: "Error" } } } });
    assert.equal(failureAt(oneMinuteIn, exited).reason, "worker exited 3");
  });
});

describe("how long a worker pod may take before its node counts as failed", () => {
  const bounds = { podTimeoutMs, scanTimeoutMs: 23 * 3_600_000 };
  const at = (ms: number, p: CachedPod) => {
    const progress = jobProgress([p], Date.parse(created) + ms, bounds);
    return { failed: progress.failed, reason: progress.failures[0]?.reason };
  };
  const scanning = pod({ phase: "Running", containers: { collector: { terminated: { exitCode: 0, reason: "Completed" } }, "trivy-scanner": running, remover: running } });

  test("a pod still scanning is given the scanner's timeout.total on top of --pod-timeout", () => {
    assert.deepEqual(at(11 * 60_000, scanning), { failed: 0, reason: undefined }, "a scan past 10 minutes is not a failure");
    assert.deepEqual(at(23 * 3_600_000 + 9 * 60_000, scanning), { failed: 0, reason: undefined });
    assert.equal(at(23 * 3_600_000 + 11 * 60_000, scanning).reason, "worker pod eraser-node-a-x7k2p did not finish within 23 h 10 min (Running)");
  });

  test("a pod that does not scan, or has not started, still has --pod-timeout alone", () => {
    const removing = pod({ phase: "Running", containers: { remover: running } });
    assert.equal(at(11 * 60_000, removing).reason, "worker pod eraser-node-a-x7k2p did not finish within 600 s (Running)");
    const notStarted = pod({ phase: "Pending", containers: { collector: running, "trivy-scanner": creating, remover: creating } });
    assert.match(at(11 * 60_000, notStarted).reason ?? "", /^worker pod eraser-node-a-x7k2p did not finish within 600 s \(Pending\)/);
  });

  test("a pod on a node that has not been Ready for --pod-timeout fails, scanning or not; a Ready node's does not", () => {
    const lostAt = Date.parse(created) + 3_600_000;
    const readiness = (status: string) => () => ({ status, sinceMs: lostAt });
    const judge = (ms: number, status: string) => {
      const progress = jobProgress([scanning], Date.parse(created) + ms, { ...bounds, readiness: readiness(status) });
      return { failed: progress.failed, reason: progress.failures[0]?.reason, next: progress.nextTimeoutMs };
    };
    assert.deepEqual(judge(3_600_000 + 9 * 60_000, "Unknown"), { failed: 0, reason: undefined, next: lostAt + podTimeoutMs }, "woken when the node's time is up");
    assert.equal(judge(3_600_000 + 10 * 60_000, "Unknown").reason, "worker pod eraser-node-a-x7k2p cannot finish: node node-a has not been Ready (Unknown) since 2026-11-24T11:00:00.000Z");
    assert.equal(judge(3_600_000 + 10 * 60_000, "False").failed, 1);
    assert.equal(judge(3_600_000 + 10 * 60_000, "True").failed, 0);
  });
});
