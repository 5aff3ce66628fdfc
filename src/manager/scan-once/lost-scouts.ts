// First-wave nodes that leave the cluster or are drained before the share share nothing: the pool
// each stood for would scan its images on every one of its nodes, as if the job did not scan once
// per run. The nodes that hold most of those images scan first in their place (waves.ts). The new
// wave is recorded with the job's nodes, so this runs once per loss and a restarted manager waits
// for the same nodes. A node whose pod was refused, or deleted twice, is not replaced: what
// stopped its pod (a policy, an admission webhook, a clean-up controller) would most likely stop
// its replacement's too, and the wave would walk through the cluster one refusal at a time.
import type { EraserConfig } from "../../api/config/types.ts";
import type { ImageJob } from "../../api/imagejob.ts";
import type { EventRecorder } from "../../observability/events.ts";
import type { Logger } from "../../observability/logger.ts";
import type { ClusterState } from "../cluster-state.ts";
import type { JobTargets } from "../controllers/job-targets.ts";
import { jobRef, named } from "../job-events.ts";
import type { VerdictStore } from "./verdict-store.ts";
import { replacementsFor, scanOnceApplies } from "./waves.ts";

export interface LostScoutsDeps {
  verdicts: Pick<VerdictStore, "exists">;
  targets: Pick<JobTargets, "replaceFirstWave">;
  state: Pick<ClusterState, "nodeImages">;
  events: Pick<EventRecorder, "record">;
  logger: Logger;
}

export interface LostScoutsInputs {
  job: ImageJob;
  mode: "manual" | "automatic";
  config: EraserConfig;
  /** The job's nodes, sorted, as it started with them. */
  targets: readonly string[];
  /** The first wave as recorded; a job without one (started by an older manager) keeps the name spread. */
  firstWave?: readonly string[];
  /** The job's nodes that left the cluster or were drained. */
  departed: ReadonlySet<string>;
  /** The job's nodes that get no pod (plan.ts): those, and nodes whose pod was refused or given up on. */
  noPod: ReadonlySet<string>;
}

/** The first wave to wait for: as recorded, or with others in place of those lost. */
export async function replaceLostScouts(d: LostScoutsDeps, w: LostScoutsInputs): Promise<readonly string[] | undefined> {
  const { firstWave, departed, noPod, targets } = w;
  const job = w.job.metadata.name;
  const lost = firstWave?.filter((n) => departed.has(n)) ?? [];
  if (firstWave === undefined || lost.length === 0 || !scanOnceApplies(w.mode, w.config, targets.length) || (await d.verdicts.exists(job))) return firstWave;
  const picked = replacementsFor(targets, firstWave, noPod, (n) => d.state.nodeImages(n));
  const wave = targets.filter((n) => (firstWave.includes(n) && !departed.has(n)) || picked.includes(n));
  await d.targets.replaceFirstWave(job, wave);
  d.logger.info({ job, lost, picked, firstWave: wave }, "First-wave nodes will not share their scan verdicts; others scan first in their place");
  const instead = picked.length === 0 ? "no other node holds their images, so none scans in their place" : `scanning first in their place: ${named(picked)}`;
  d.events.record(jobRef(w.job), "Normal", "FirstWaveReplaced", `first-wave node(s) ${named(lost)} left the cluster or were drained before sharing scan verdicts; ${instead}`);
  return wave;
}
