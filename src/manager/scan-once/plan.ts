// Which of a job's nodes get pods now, when each image is scanned once per run (SPEC §3). Level-
// triggered like the rest of the controller, from the job's pods, its first wave as chosen at its
// start (waves.ts) and its verdict ConfigMap alone: (1) the first wave runs, sharing its verdicts;
// (2) once every first-wave pod has finished scanning (or timed out), its verdicts are merged into
// `<job>-verdicts`; (3) every other node runs, reusing them. A first-wave node that cannot run
// holds the rest back by --pod-timeout; one that left the cluster, or whose pod was refused, holds
// nothing back. The first wave is chosen from the nodes the job started with, so a node leaving
// never moves the wave onto nodes that already run as later ones.
import type { EraserConfig } from "../../api/config/types.ts";
import type { ImageJob } from "../../api/imagejob.ts";
import { verdictFingerprint } from "../../api/scan-verdicts.ts";
import { containerNames } from "../../api/worker-contract.ts";
import type { CachedPod } from "../cached-objects.ts";
import type { PodInputs } from "../pods/build.ts";
import { mergeShareReports } from "./merge.ts";
import { verdictsConfigMapName, type VerdictStore } from "./verdict-store.ts";
import { firstWave, scanOnceApplies } from "./waves.ts";

export interface ScanOnceDeps {
  store: Pick<VerdictStore, "exists" | "create">;
  nowMs: number;
  podTimeoutMs: number;
}

export interface WaveInputs {
  job: ImageJob;
  mode: "manual" | "automatic";
  config: EraserConfig;
  /** The job's nodes, sorted, as it started with them. */
  targets: readonly string[];
  /** The first wave chosen when the job started (waves.ts); without it, the name spread. */
  firstWave?: readonly string[];
  /** Those of them that get no pod: they left the cluster (gone-nodes.ts), or the API server refused theirs (refused-pods.ts). */
  noPod: ReadonlySet<string>;
  /** The job's pods, one per node. */
  pods: readonly CachedPod[];
}

export interface Wave {
  /** The nodes that should have a pod by now. */
  nodes: readonly string[];
  scanVerdicts?: PodInputs["scanVerdicts"];
  /** Set on the pass that shared the first wave's verdicts, for the job's log and Event. */
  shared?: { firstWave: number; verdicts: number; flagged: number; problems: string[] };
}

const createdMs = (pod: CachedPod): number => new Date(pod.metadata.creationTimestamp ?? 0).getTime();

function scannerState(pod: CachedPod): { message: string } | undefined {
  const terminated = pod.status?.containerStatuses?.find((s) => s.name === containerNames.scanner)?.state?.terminated;
  return terminated === undefined ? undefined : { message: terminated.message ?? "" };
}

function doneScanning(pod: CachedPod, d: ScanOnceDeps): boolean {
  const phase = pod.status?.phase;
  return phase === "Succeeded" || phase === "Failed" || scannerState(pod) !== undefined || d.nowMs >= createdMs(pod) + d.podTimeoutMs;
}

export async function planWave(d: ScanOnceDeps, w: WaveInputs): Promise<Wave> {
  const present = w.targets.filter((n) => !w.noPod.has(n));
  if (!scanOnceApplies(w.mode, w.config, w.targets.length)) return { nodes: present };
  const name = w.job.metadata.name;
  const reuse: Wave = { nodes: present, scanVerdicts: { role: "reuse", configMap: verdictsConfigMapName(name) } };
  if (await d.store.exists(name)) return reuse;
  const first = (w.firstWave ?? firstWave(w.targets, w.config.components.scanner.config.scanOnce.firstWaveNodes)).filter((n) => !w.noPod.has(n));
  const firstPods = w.pods.filter((p) => first.includes(p.spec?.nodeName ?? ""));
  if (firstPods.length < first.length || !firstPods.every((p) => doneScanning(p, d))) return { nodes: first, scanVerdicts: { role: "share" } };
  const reports = firstPods.map((p) => ({ node: p.spec?.nodeName ?? "?", message: scannerState(p)?.message ?? "" }));
  const merged = mergeShareReports(reports, verdictFingerprint(w.config.components.scanner.config));
  await d.store.create(w.job, merged.verdicts);
  const all = Object.values(merged.verdicts.images);
  return { ...reuse, shared: { firstWave: first.length, verdicts: all.length, flagged: all.filter((v) => v.flagged).length, problems: merged.problems } };
}
