// The worker against every containerd release a cluster may run: what it removes, what it never
// removes, dry run, and failing closed. node-1 runs Debian's containerd 1.6 and node-2 the current
// 2.x, with containers made by the real kubelet; 1.7 and 2.0-2.3 run as private instances whose
// containers are made through the CRI. From 1.7 on, the CRI pins any image labelled as its CRI
// pins them; 2.x reports the sandbox image as pinned rather than in its config.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GrpcCriClient } from "../../src/cri/grpc-client.ts";
import { buildImageLayout, busyboxImage, ctr, importImages, markerImage, tagImage, type BuiltImage } from "../harness/index.ts";
import type { ContainerdRelease } from "../harness/containerd.ts";
import { kubeletContractNode, privateContractNode, type ContractNode } from "../harness/contract-node.ts";
import { earlierContainerdReleases, earlierContainerdVersion } from "../harness/paths.ts";
import { ensureWorkerBuilt, imagesWithDecision, runWorker } from "../harness/worker-run.ts";
import { writeStage } from "../../src/worker/handoff.ts";

const lib = (name: string): string => `docker.io/library/${name}`;

/** The remover's whole contract on one node, which `start` brings up. */
function removerSuite(release: ContainerdRelease, start: () => Promise<ContractNode>): void {
  // Made in `before`: node:test runs neither hook of a suite a name filter leaves empty.
  let work: string | undefined;
  let node: ContractNode;
  let cri: GrpcCriClient;
  const built = new Map<string, BuiltImage>();

  const specs = [
    busyboxImage(lib("wr-running:1")),
    busyboxImage(lib("wr-exited:1")),
    markerImage(lib("wr-tag:1")),
    markerImage(lib("wr-short:1.0")),
    markerImage(lib("wr-digest:1")),
    markerImage(lib("wr-id:1")),
    markerImage(lib("wr-unlisted:1")),
    markerImage(lib("wr-ex-exact:1")),
    markerImage(lib("wr-ex-repo:7")),
    markerImage("localhost:5000/wr/ex-prefix:1"),
    markerImage(lib("wr-ex-id:1")),
    markerImage(lib("wr-ex-digest:1")),
    markerImage(lib("wr-pinned:1")),
  ];

  function inWork(name: string): string {
    assert.ok(work !== undefined, "the suite's before hook made its work directory");
    return join(work, name);
  }
  async function imageIds(): Promise<Set<string>> {
    return new Set((await cri.listImages()).map((i) => i.id));
  }
  async function allTags(): Promise<Set<string>> {
    return new Set((await cri.listImages()).flatMap((i) => i.repoTags));
  }
  function id(ref: string): string {
    const image = built.get(ref);
    assert.ok(image, `test image ${ref} was built`);
    return image.id;
  }
  function writeList(name: string, images: string[]): string {
    const file = inWork(name);
    writeFileSync(file, JSON.stringify(images));
    return file;
  }
  function exclusionDir(name: string, lists: Record<string, string>): string {
    const dir = inWork(name);
    for (const [configMap, body] of Object.entries(lists)) {
      mkdirSync(join(dir, configMap), { recursive: true });
      writeFileSync(join(dir, configMap, "excluded.json"), body);
    }
    return dir;
  }

  before(async () => {
    work = mkdtempSync("/tmp/ets-worker-");
    ensureWorkerBuilt();
    node = await start();
    cri = new GrpcCriClient(node.containerd.endpoint);
    const tar = inWork("images.tar");
    for (const image of buildImageLayout(specs, tar)) built.set(image.ref, image);
    await importImages(node.containerd, tar);
    await tagImage(node.containerd, lib("wr-tag:1"), lib("wr-tag-alias:2"));
    await tagImage(node.containerd, lib("wr-digest:1"), `${lib("wr-digest")}@${built.get(lib("wr-digest:1"))?.manifestDigest ?? ""}`);
    await tagImage(node.containerd, lib("wr-ex-digest:1"), `${lib("wr-ex-digest")}@${built.get(lib("wr-ex-digest:1"))?.manifestDigest ?? ""}`);
    // From 1.7 on, the CRI reports an image pinned when it carries this label; 1.6 has no pinning.
    if (pins) await ctr(node.containerd.socket, ["images", "label", lib("wr-pinned:1"), "io.cri-containerd.pinned=pinned"]);
    await node.run("running", lib("wr-running:1"), ["/bin/sleep", "3600"], "running");
    await node.run("exited", lib("wr-exited:1"), ["/bin/echo", "done"], "exited");
  });

  after(async () => {
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
    if ((cri as GrpcCriClient | undefined) === undefined) return;
    cri.close();
    await node.close();
  });

  const endpoint = (): string => `--runtime-endpoint=${node.containerd.endpoint}`;

  const pins = release !== "1.6";
  const listed = (): string[] => [
    lib("wr-tag:1"),
    "wr-short:1.0",
    `wr-digest@${built.get(lib("wr-digest:1"))?.manifestDigest ?? ""}`,
    id(lib("wr-id:1")),
    lib("wr-running:1"),
    "wr-exited:1",
    "registry.k8s.io/pause:eraser-ts",
    lib("wr-ex-exact:1"),
    lib("wr-ex-repo:7"),
    "localhost:5000/wr/ex-prefix:1",
    lib("wr-ex-id:1"),
    `${lib("wr-ex-digest")}@${built.get(lib("wr-ex-digest:1"))?.manifestDigest ?? ""}`,
  ];
  const exclusions = (): string =>
    exclusionDir("exclusions", {
      "team-a": JSON.stringify({ excluded: [lib("wr-ex-exact:1"), "wr-ex-repo:*"] }),
      "eraser-system-exclusion": JSON.stringify({ excluded: ["localhost:5000/wr/*", id(lib("wr-ex-id:1")), `wr-ex-digest@${built.get(lib("wr-ex-digest:1"))?.manifestDigest ?? ""}`] }),
    });
  const expectedRemoved = (): string[] => [lib("wr-tag:1"), lib("wr-short:1.0"), lib("wr-digest:1"), lib("wr-id:1")].map(id).sort();

  test("a malformed exclusion list makes the node remove nothing and say why", async () => {
    const before = await imageIds();
    const bad = exclusionDir("bad-exclusions", { good: '{"excluded": []}', broken: '{"excluded": "nginx"}' });
    const run = await runWorker(["remover", endpoint(), `--imagelist=${writeList("bad.json", listed())}`, `--exclusion-dir=${bad}`]);
    assert.equal(run.exitCode, 1);
    assert.match(run.result?.error ?? "", /exclusion list .*broken\/excluded\.json: must be \{"excluded"/);
    assert.deepEqual(await imageIds(), before, "nothing removed");
  });

  // containerd has image volumes from 2.1 on (ADR 0021); before, no container can mount an image.
  const hasImageVolumes = !["1.6", "1.7", "2.0"].includes(release);
  test(`container statuses are asked for image mounts ${hasImageVolumes ? "(image volumes from containerd 2.1 on)" : "not at all: this containerd has no image volumes"}`, async () => {
    const run = await runWorker(["remover", endpoint(), `--imagelist=${writeList("mounts.json", [lib("wr-tag:1")])}`, "--dry-run"]);
    assert.equal(run.exitCode, 0, run.stderr);
    const version = run.logs.find((l) => l["msg"] === "Connected to container runtime")?.["version"];
    const skipped = run.logs.some((l) => String(l["msg"]).startsWith("This runtime has no image volumes"));
    assert.equal(skipped, !hasImageVolumes, `containerd ${String(version)}`);
    assert.deepEqual(imagesWithDecision(run, "would-remove"), [id(lib("wr-tag:1"))]);
  });

  test("a dead runtime socket fails with a message naming it", async () => {
    const run = await runWorker(["remover", "--runtime-endpoint=unix:///tmp/ets-no-such.sock", `--imagelist=${writeList("dead.json", ["x:1"])}`]);
    assert.equal(run.exitCode, 1);
    assert.match(run.result?.error ?? "", /CRI runtime at unix:\/\/\/tmp\/ets-no-such\.sock: cannot be reached/);
  });

  test("--dry-run removes nothing and reports exactly what the real run then removes", async () => {
    const before = await imageIds();
    const args = ["remover", endpoint(), `--imagelist=${writeList("list.json", listed())}`, `--exclusion-dir=${exclusions()}`];
    const dry = await runWorker([...args, "--dry-run"]);
    assert.equal(dry.exitCode, 0, dry.stderr);
    assert.deepEqual(await imageIds(), before, "a dry run removes nothing");
    assert.equal(dry.result?.dryRun, true);
    assert.deepEqual(imagesWithDecision(dry, "would-remove"), expectedRemoved());

    const real = await runWorker(args);
    assert.equal(real.exitCode, 0, real.stderr);
    assert.deepEqual(imagesWithDecision(real, "removed"), imagesWithDecision(dry, "would-remove"));
    assert.deepEqual(
      { removed: real.result?.removed, kept: real.result?.kept },
      { removed: dry.result.removed, kept: dry.result.kept },
      "the dry run's report equals the real run's",
    );
  });

  test("listed images went by tag, short name, digest and ID, with every alias tag", async () => {
    const ids = await imageIds();
    for (const gone of expectedRemoved()) assert.ok(!ids.has(gone), `${gone} was removed`);
    const tags = await allTags();
    assert.ok(!tags.has(lib("wr-tag-alias:2")), "the alias of a removed image went with it");
    assert.ok(tags.has(lib("wr-unlisted:1")), "an unlisted image stays");
  });

  test("never removed: running and exited containers' images, the sandbox image, every exclusion form", async () => {
    const tags = await allTags();
    for (const kept of [lib("wr-running:1"), lib("wr-exited:1"), "registry.k8s.io/pause:eraser-ts", lib("wr-ex-exact:1"), lib("wr-ex-repo:7"), "localhost:5000/wr/ex-prefix:1", lib("wr-ex-id:1"), lib("wr-ex-digest:1")]) {
      assert.ok(tags.has(kept), `${kept} is still on the node`);
    }
  });

  test('"*" prunes every unused, unexcluded image, and nothing in use', async () => {
    const run = await runWorker(["remover", endpoint(), `--imagelist=${writeList("prune.json", ["*"])}`, `--exclusion-dir=${exclusions()}`]);
    assert.equal(run.exitCode, 0, run.stderr);
    const tags = await allTags();
    assert.ok(!tags.has(lib("wr-unlisted:1")), "an unused image is pruned");
    for (const kept of [lib("wr-running:1"), lib("wr-exited:1"), "registry.k8s.io/pause:eraser-ts", lib("wr-ex-exact:1"), "localhost:5000/wr/ex-prefix:1", lib("wr-ex-id:1")]) {
      assert.ok(tags.has(kept), `${kept} survives a prune`);
    }
    // The pause image is kept as the sandbox image: the node's pods run it. containerd 1.x also
    // names it in its CRI config; containerd 2 no longer does, and pins it instead.
    assert.equal(run.result?.kept.sandbox, 1);
    if (pins) {
      assert.ok(tags.has(lib("wr-pinned:1")), "a pinned image survives a prune");
      assert.equal(run.result?.kept.pinned, 1);
    }
  });

  test("a pinned image is never removed, even when listed by name", { skip: pins ? false : "containerd 1.6 pins no image" }, async () => {
    const run = await runWorker(["remover", endpoint(), `--imagelist=${writeList("pinned.json", [lib("wr-pinned:1")])}`]);
    assert.equal(run.exitCode, 0, run.stderr);
    const pinned = run.logs.filter((l) => l["decision"] === "kept" && l["reason"] === "pinned").map((l) => String(l["image"]));
    assert.deepEqual(pinned, [id(lib("wr-pinned:1"))]);
    assert.ok((await imageIds()).has(id(lib("wr-pinned:1"))), "the pinned image is still on the node");
  });

  test("an image a pod on the node names (--pod-image, by tag or digest) is kept as awaited by the collector and by a remover that lists it", async () => {
    const tar = inWork("awaited.tar");
    const [byTag, byDigest] = buildImageLayout([markerImage(lib("wr-awaited:1")), markerImage(lib("wr-awaited-digest:1"))], tar);
    assert.ok(byTag && byDigest);
    await importImages(node.containerd, tar);
    const digestRef = `${lib("wr-awaited-digest")}@${byDigest.manifestDigest}`;
    await tagImage(node.containerd, lib("wr-awaited-digest:1"), digestRef);
    const podImages = ["--pod-image=wr-awaited:1", `--pod-image=${digestRef}`];
    const awaited = [byTag.id, byDigest.id].sort();

    const collected = await runWorker(["collector", endpoint(), "--scan-disabled", `--shared-dir=${inWork("shared-awaited")}`, `--exclusion-dir=${exclusions()}`, ...podImages]);
    assert.equal(collected.exitCode, 0, collected.stderr);
    assert.deepEqual(collected.logs.filter((l) => l["reason"] === "awaited").map((l) => String(l["image"])).sort(), awaited, "the collector makes neither a candidate");

    const list = writeList("awaited.json", [lib("wr-awaited:1"), lib("wr-awaited-digest:1")]);
    const kept = await runWorker(["remover", endpoint(), `--imagelist=${list}`, ...podImages]);
    assert.equal(kept.exitCode, 0, kept.stderr);
    assert.equal(kept.result?.removed, 0);
    assert.equal(kept.result?.kept.awaited, 2, "the node's result says why");
    for (const image of awaited) assert.ok((await imageIds()).has(image), `${image} is still on the node`);

    const control = await runWorker(["remover", endpoint(), `--imagelist=${list}`]);
    assert.equal(control.result?.removed, 2, "the control: without the pods' images, the listed images go");
  });

  // Runtime-independent (a file and a flag): proven once, on node-1's containerd under a real kubelet.
  if (release === "1.6") {
    test("with --pod-images-file, the remover waits for the images the node's pods name after the scan, keeps them as awaited, and removes nothing without them (ADR 0023)", async () => {
      const tar = inWork("after-scan.tar");
      const [late, other] = buildImageLayout([markerImage(lib("wr-late:1")), markerImage(lib("wr-late-other:1"))], tar);
      assert.ok(late && other);
      await importImages(node.containerd, tar);
      const shared = inWork("shared-after-scan");
      writeStage(shared, "final", { images: [late.id, other.id], vulnerable: 2 });
      const podImagesFile = inWork("pod-images");
      writeFileSync(podImagesFile, "");
      const remover = (timeout: number): ReturnType<typeof runWorker> => runWorker(["remover", endpoint(), `--shared-dir=${shared}`, `--pod-images-file=${podImagesFile}`, `--pod-images-timeout=${timeout}`]);

      const unset = await remover(2);
      assert.notEqual(unset.exitCode, 0);
      assert.match(unset.result?.error ?? "", /did not say within 2 s which images the node's pods name after the scan \(annotation eraser\.sh\/pod-images-after-scan/);
      assert.equal(unset.result?.removed, 0);
      assert.ok((await imageIds()).has(late.id) && (await imageIds()).has(other.id), "without the list, nothing is removed");

      const running = remover(60);
      // Written while the remover waits, as the kubelet writes the annotation into its file.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      writeFileSync(podImagesFile, JSON.stringify(["wr-late:1"]));
      const run = await running;
      assert.equal(run.exitCode, 0, run.stderr);
      assert.deepEqual(imagesWithDecision(run, "removed"), [other.id], "the other flagged image goes");
      assert.equal(run.result?.kept.awaited, 1);
      assert.ok((await imageIds()).has(late.id), "the image a pod bound during the scan names stays");
      assert.ok(run.logs.some((l) => l["msg"] === "Read the images the node's pods name after the scan" && JSON.stringify(l["added"]) === '["wr-late:1"]'));
    });
  }

  test("an image whose container starts after the collector ran is kept (the remover re-checks)", async () => {
    const tar = inWork("race.tar");
    const [race] = buildImageLayout([busyboxImage(lib("wr-race:1"))], tar);
    await importImages(node.containerd, tar);
    const shared = inWork("shared");
    const collected = await runWorker(["collector", endpoint(), "--scan-disabled", `--shared-dir=${shared}`, `--exclusion-dir=${exclusions()}`]);
    assert.equal(collected.exitCode, 0, collected.stderr);
    await node.run("race", lib("wr-race:1"), ["/bin/sleep", "3600"], "running");
    const removed = await runWorker(["remover", endpoint(), `--shared-dir=${shared}`, `--exclusion-dir=${exclusions()}`]);
    assert.equal(removed.exitCode, 0, removed.stderr);
    assert.ok((await imageIds()).has(race!.id), "the raced image is still there");
    assert.ok(imagesWithDecision(removed, "kept").includes(race!.id), "and the remover says why");
  });
}

describe("remover on node-1 (containerd 1.6)", () => {
  removerSuite("1.6", () => kubeletContractNode(0, "1.6", "worker-remover-1"));
});
for (const release of earlierContainerdReleases) {
  describe(`remover on a private containerd ${release} (${earlierContainerdVersion(release)})`, () => {
    removerSuite(release, () => privateContractNode(release));
  });
}
describe("remover on node-2 (containerd 2)", () => {
  removerSuite("2", () => kubeletContractNode(1, "2", "worker-remover-2"));
});
