import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { defaultEraserConfig } from "../../../src/api/config/defaults.ts";
import type { ImageJob } from "../../../src/api/imagejob.ts";
import { formatShareReport, verdictFingerprint, type SharedVerdicts } from "../../../src/api/scan-verdicts.ts";
import type { CachedPod } from "../../../src/manager/cached-objects.ts";
import { mergeShareReports } from "../../../src/manager/scan-once/merge.ts";
import { planWave } from "../../../src/manager/scan-once/plan.ts";
import { replaceLostScouts } from "../../../src/manager/scan-once/lost-scouts.ts";
import { createLogger } from "../../../src/observability/logger.ts";
import { nodeImageKeys } from "../../../src/manager/scan-once/node-images.ts";
import { firstWave, firstWaveByImages, replacementsFor, scanOnceApplies } from "../../../src/manager/scan-once/waves.ts";

const imageId = (seed: string): string => `sha256:${createHash("sha256").update(seed).digest("hex")}`;
const [alpine, nginx, redis] = ["alpine", "nginx", "redis"].map(imageId) as [string, string, string];

describe("scan once: the first wave", () => {
  test("is spread over the sorted nodes, starts with the first, and is every node when the cluster is small", () => {
    const nodes = Array.from({ length: 10 }, (_, i) => `aks-pool${i < 5 ? 1 : 2}-${i}`);
    assert.deepEqual(firstWave(nodes, 2), ["aks-pool1-0", "aks-pool2-5"], "one node from each pool");
    assert.deepEqual(firstWave(nodes, 3), ["aks-pool1-0", "aks-pool1-3", "aks-pool2-6"]);
    assert.deepEqual(firstWave(nodes.slice(0, 2), 3), nodes.slice(0, 2));
  });

  // Pools as a cluster grows them: a big general pool and two small special ones, each node holding
  // its pool's images (repo digests, as a kubelet lists them) and the images every node runs.
  const poolImages = (pool: string, count: number): { names: string[] }[] =>
    Array.from({ length: count }, (_, i) => ({ names: [`contoso.azurecr.io/${pool}/svc-${i}@sha256:${createHash("sha256").update(`${pool}/${i}`).digest("hex")}`, `contoso.azurecr.io/${pool}/svc-${i}:v1`] }));
  const everyNode = [{ names: ["mcr.microsoft.com/oss/kubernetes/kube-proxy@sha256:" + "a".repeat(64)] }, { names: ["mcr.microsoft.com/oss/kubernetes/pause:3.6"] }];
  const cluster = new Map<string, number[]>();
  for (let i = 0; i < 20; i++) cluster.set(`aks-general-${String(i).padStart(2, "0")}`, nodeImageKeys([...everyNode, ...poolImages("general", 10)]));
  for (let i = 0; i < 3; i++) cluster.set(`aks-gpu-${i}`, nodeImageKeys([...everyNode, ...poolImages("gpu", 6)]));
  for (let i = 0; i < 2; i++) cluster.set(`aks-infra-${i}`, nodeImageKeys([...everyNode, ...poolImages("infra", 4)]));
  const sorted = [...cluster.keys()].sort();

  test("by the images the nodes hold: one node of each pool, where the name spread took the big pool only", () => {
    assert.deepEqual(firstWave(sorted, 3), ["aks-general-00", "aks-general-08", "aks-general-16"], "the spread: 3 nodes of the general pool");
    const wave = firstWaveByImages(sorted, 3, (n) => cluster.get(n));
    assert.deepEqual(wave.nodes, ["aks-general-00", "aks-gpu-0", "aks-infra-0"]);
    assert.deepEqual(wave.shared, { covered: 2 + 10 + 6 + 4, of: 2 + 10 + 6 + 4 }, "every image held by two nodes or more has a first-wave holder");
  });

  test("an image only one node holds saves nothing; ties go to the first by name", () => {
    const shared = nodeImageKeys([{ names: ["docker.io/library/nginx@sha256:" + "1".repeat(64)] }]);
    const images = new Map([
      ["n1", shared],
      ["n2", nodeImageKeys([{ names: ["docker.io/library/nginx@sha256:" + "1".repeat(64)] }, ...poolImages("only-n2", 5)])],
      ["n3", []],
    ]);
    assert.deepEqual(firstWaveByImages(["n1", "n2", "n3"], 1, (n) => images.get(n)).nodes, ["n1"]);
  });

  test("without image lists, or once every shared image is covered, the rest is the name spread", () => {
    const nodes = Array.from({ length: 10 }, (_, i) => `aks-pool${i < 5 ? 1 : 2}-${i}`);
    assert.deepEqual(firstWaveByImages(nodes, 3, () => undefined).nodes, firstWave(nodes, 3));
    const one = nodeImageKeys(poolImages("p", 3));
    const images = new Map([["aks-pool2-7", one], ["aks-pool2-8", one]]);
    assert.deepEqual(firstWaveByImages(nodes, 3, (n) => images.get(n)).nodes, ["aks-pool1-0", "aks-pool1-3", "aks-pool2-7"], "the holder first, then the spread");
    assert.deepEqual(firstWaveByImages(nodes.slice(0, 2), 3, () => undefined).nodes, nodes.slice(0, 2));
  });

  test("a large first wave of a large cluster is exact: each pick saves the most of what is left", () => {
    // 5,000 nodes in 250 pools of 20: a first wave of 300 takes one node of each pool, then 50 by the spread.
    const pools = new Map<number, number[]>();
    const nodes = Array.from({ length: 5000 }, (_, i) => `node-${String(i).padStart(4, "0")}`);
    const poolOf = (node: string): number => Number(node.slice(5)) % 250;
    const imagesOf = (node: string): number[] => {
      const pool = poolOf(node);
      if (!pools.has(pool)) pools.set(pool, nodeImageKeys(poolImages(`pool-${pool}`, 40 + (pool % 10))));
      return pools.get(pool) ?? [];
    };
    const wave = firstWaveByImages(nodes, 300, imagesOf);
    assert.equal(wave.nodes.length, 300);
    assert.equal(new Set(wave.nodes.map(poolOf)).size, 250, "every pool has a node in the first wave");
    assert.deepEqual(wave.shared, { covered: wave.shared.of, of: [...pools.values()].reduce((n, keys) => n + keys.length, 0) });
  });

  test("a first-wave node that will not share is replaced by the node that holds most of its pool's images", () => {
    const wave = firstWaveByImages(sorted, 3, (n) => cluster.get(n)).nodes;
    assert.deepEqual(replacementsFor(sorted, wave, new Set(["aks-gpu-0"]), (n) => cluster.get(n)), ["aks-gpu-1"], "the gpu pool's next node, not another general one");
    const gone = new Set(["aks-general-00", "aks-general-01"]);
    assert.deepEqual(replacementsFor(sorted, wave, gone, (n) => cluster.get(n)), ["aks-general-02"], "a node that left is never picked");
    assert.deepEqual(replacementsFor(sorted, wave, new Set(["aks-infra-0"]), (n) => cluster.get(n)), [], "the infra pool's other node scans its images either way: no replacement would save a scan");
    assert.deepEqual(replacementsFor(sorted, wave, new Set(["aks-gpu-0", "aks-gpu-1"]), (n) => cluster.get(n)), [], "nor when one gpu node is left");
    assert.deepEqual(replacementsFor(sorted, wave, new Set(["aks-general-07"]), (n) => cluster.get(n)), [], "nothing lost from the wave, nothing to replace");
  });

  test("only nodes that left or were drained are replaced, once, before the share; a refused pod's node is not", async () => {
    const recorded: string[][] = [];
    const told: string[] = [];
    const deps = (shared: boolean) => ({
      verdicts: { exists: () => Promise.resolve(shared) },
      targets: { replaceFirstWave: (_job: string, wave: readonly string[]) => Promise.resolve(void recorded.push([...wave])) },
      state: { nodeImages: (n: string) => cluster.get(n) },
      events: { record: (_o: unknown, _t: string, _r: string, message: string) => void told.push(message) },
      logger: createLogger({ level: "silent" }),
    });
    const job = { apiVersion: "eraser.sh/v1", kind: "ImageJob", metadata: { name: "j" } } as ImageJob;
    const wave = firstWaveByImages(sorted, 3, (n) => cluster.get(n)).nodes;
    const inputs = (departed: string[], noPod: string[]) => ({ job, mode: "automatic" as const, config: defaultEraserConfig(), targets: sorted, firstWave: wave, departed: new Set(departed), noPod: new Set([...departed, ...noPod]) });
    assert.deepEqual(await replaceLostScouts(deps(false), inputs([], ["aks-gpu-0"])), wave, "refused: its replacement would most likely be refused too");
    assert.deepEqual(await replaceLostScouts(deps(true), inputs(["aks-gpu-0"], [])), wave, "after the share there is nothing to replace");
    assert.deepEqual([recorded, told], [[], []]);
    const replaced = await replaceLostScouts(deps(false), inputs(["aks-general-00"], ["aks-general-01"]));
    assert.deepEqual(replaced, ["aks-general-02", "aks-gpu-0", "aks-infra-0"], "not the node whose pod was refused");
    assert.deepEqual(recorded, [["aks-general-02", "aks-gpu-0", "aks-infra-0"]]);
    assert.deepEqual(told, ["first-wave node(s) aks-general-00 left the cluster or were drained before sharing scan verdicts; scanning first in their place: aks-general-02"]);
  });

  test("applies to automatic runs with the scanner, when nodes are left after the first wave", () => {
    const config = defaultEraserConfig();
    assert.equal(scanOnceApplies("automatic", config, 4), true);
    assert.equal(scanOnceApplies("automatic", config, 3), false, "3 nodes: the first wave is everyone");
    assert.equal(scanOnceApplies("manual", config, 100), false);
    config.components.scanner.config.scanOnce.enabled = false;
    assert.equal(scanOnceApplies("automatic", config, 100), false);
    config.components.scanner.config.scanOnce.enabled = true;
    config.components.scanner.enabled = false;
    assert.equal(scanOnceApplies("automatic", config, 100), false);
  });
});

describe("scan once: merging the first wave's reports", () => {
  const fp = "fp1";
  test("verdicts of several nodes are merged, each credited to the node that scanned it", () => {
    const merged = mergeShareReports(
      [
        { node: "a", message: formatShareReport(fp, { flagged: [alpine], compliant: [nginx] }) },
        { node: "b", message: formatShareReport(fp, { flagged: [alpine], compliant: [redis] }) },
      ],
      fp,
    );
    assert.deepEqual(merged.verdicts, { v: 1, config: fp, images: { [alpine]: { flagged: true, node: "a" }, [nginx]: { flagged: false, node: "a" }, [redis]: { flagged: false, node: "b" } } });
    assert.deepEqual(merged.problems, []);
  });

  test("when in doubt a verdict is left out: nodes that disagree, other settings, unreadable or missing reports", () => {
    const merged = mergeShareReports(
      [
        { node: "a", message: formatShareReport(fp, { flagged: [alpine], compliant: [nginx] }) },
        { node: "b", message: formatShareReport(fp, { flagged: [], compliant: [alpine] }) },
        { node: "c", message: formatShareReport("old-settings", { flagged: [redis], compliant: [] }) },
        { node: "d", message: "not json" },
        { node: "e", message: "" },
      ],
      fp,
    );
    assert.deepEqual(merged.verdicts.images, { [nginx]: { flagged: false, node: "a" } });
    const problems = merged.problems.join("\n");
    assert.match(problems, new RegExp(`nodes disagree on ${alpine}`));
    assert.match(problems, /node c scanned under other scanner settings/);
    assert.match(problems, /node d's verdicts are unusable: not JSON/);
    assert.match(problems, /node e reported no verdicts/);
  });
});

describe("scan once: which nodes get pods", () => {
  const config = defaultEraserConfig();
  config.components.scanner.config.scanOnce.firstWaveNodes = 1;
  const targets = ["n1", "n2", "n3"];
  const none: ReadonlySet<string> = new Set();
  const job = { apiVersion: "eraser.sh/v1", kind: "ImageJob", metadata: { name: "job-1", uid: "u" } } as ImageJob;
  const now = Date.parse("2026-11-24T10:00:00Z");
  const pod = (node: string, scannerMessage?: string, createdAgoMs = 1000): CachedPod => ({
    metadata: { name: `p-${node}`, creationTimestamp: new Date(now - createdAgoMs) },
    spec: { nodeName: node },
    status: { phase: "Running", containerStatuses: scannerMessage === undefined ? [] : [{ name: "trivy-scanner", state: { terminated: { exitCode: 0, message: scannerMessage } } }] },
  });
  const store = (exists: boolean): { created: SharedVerdicts[]; exists(): Promise<boolean>; create(_j: ImageJob, v: SharedVerdicts): Promise<void> } => {
    const created: SharedVerdicts[] = [];
    return { created, exists: () => Promise.resolve(exists || created.length > 0), create: (_j, v) => Promise.resolve(void created.push(v)) };
  };
  const deps = (s: ReturnType<typeof store>) => ({ store: s, nowMs: now, podTimeoutMs: 600_000 });

  test("first the first wave alone, sharing; the rest only once its scanner has finished, reusing", async () => {
    const s = store(false);
    const before = await planWave(deps(s), { job, mode: "automatic", config, targets, noPod: none, pods: [pod("n1")] });
    assert.deepEqual(before, { nodes: ["n1"], scanVerdicts: { role: "share" } });
    assert.equal(s.created.length, 0);

    const report = formatShareReport(verdictFingerprint(config.components.scanner.config), { flagged: [alpine], compliant: [nginx] });
    const after = await planWave(deps(s), { job, mode: "automatic", config, targets, noPod: none, pods: [pod("n1", report)] });
    assert.deepEqual(after.nodes, targets);
    assert.deepEqual(after.scanVerdicts, { role: "reuse", configMap: "job-1-verdicts" });
    assert.deepEqual(after.shared, { firstWave: 1, verdicts: 2, flagged: 1, problems: [] });
    assert.deepEqual(s.created[0]?.images[alpine], { flagged: true, node: "n1" });
  });

  test("a first-wave pod that never finishes holds the rest back only until the pod timeout", async () => {
    const s = store(false);
    const stuck = await planWave(deps(s), { job, mode: "automatic", config, targets, noPod: none, pods: [pod("n1", undefined, 599_000)] });
    assert.deepEqual(stuck.nodes, ["n1"]);
    const timedOut = await planWave(deps(s), { job, mode: "automatic", config, targets, noPod: none, pods: [pod("n1", undefined, 600_000)] });
    assert.deepEqual(timedOut.nodes, targets);
    assert.deepEqual(s.created[0]?.images, {}, "nothing to share: every later node scans for itself");
    assert.match(timedOut.shared?.problems.join() ?? "", /node n1 reported no verdicts/);
  });

  test("once the verdicts exist (a restarted manager), every node, reusing them; without scan-once, every node at once", async () => {
    const restarted = await planWave(deps(store(true)), { job, mode: "automatic", config, targets, noPod: none, pods: [] });
    assert.deepEqual(restarted.nodes, targets);
    assert.equal(restarted.scanVerdicts?.role, "reuse");
    assert.equal(restarted.shared, undefined);
    const manual = await planWave(deps(store(false)), { job, mode: "manual", config, targets, noPod: none, pods: [] });
    assert.deepEqual(manual, { nodes: targets });
  });

  test("the first wave chosen at the job's start is the one that runs, not the name spread", async () => {
    const s = store(false);
    const chosen = await planWave(deps(s), { job, mode: "automatic", config, targets, firstWave: ["n3"], noPod: none, pods: [] });
    assert.deepEqual(chosen, { nodes: ["n3"], scanVerdicts: { role: "share" } });
    const report = formatShareReport(verdictFingerprint(config.components.scanner.config), { flagged: [alpine], compliant: [] });
    const waiting = await planWave(deps(s), { job, mode: "automatic", config, targets, firstWave: ["n3"], noPod: none, pods: [pod("n1", report)] });
    assert.deepEqual(waiting.nodes, ["n3"], "n1's report does not count: n3 is the first wave");
    const shared = await planWave(deps(s), { job, mode: "automatic", config, targets, firstWave: ["n3"], noPod: none, pods: [pod("n3", report)] });
    assert.deepEqual(shared.nodes, targets);
    assert.deepEqual(s.created[0]?.images[alpine], { flagged: true, node: "n3" });
  });

  test("a node that left the cluster gets no pod; a first wave that left holds nothing back", async () => {
    const s = store(false);
    const firstLeft = await planWave(deps(s), { job, mode: "automatic", config, targets, noPod: new Set(["n1"]), pods: [] });
    assert.deepEqual(firstLeft.nodes, ["n2", "n3"], "the first wave was n1 alone: the others start at once");
    assert.deepEqual(s.created[0]?.images, {});
    const laterLeft = await planWave(deps(store(false)), { job, mode: "automatic", config, targets, noPod: new Set(["n3"]), pods: [pod("n1", formatShareReport(verdictFingerprint(config.components.scanner.config), { flagged: [], compliant: [nginx] }))] });
    assert.deepEqual(laterLeft.nodes, ["n1", "n2"]);
    const manual = await planWave(deps(store(false)), { job, mode: "manual", config, targets, noPod: new Set(["n2"]), pods: [] });
    assert.deepEqual(manual, { nodes: ["n1", "n3"] });
  });
});
