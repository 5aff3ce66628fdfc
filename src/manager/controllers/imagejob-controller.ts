// ImageJob controller: level-triggered and idempotent. Each pass recomputes from the caches:
// start the job (node counts), create missing worker pods (rate-limited), follow their progress,
// finish by the success ratio with per-node results in the status, clean up after the delay.
import type { EraserConfig } from "../../api/config/types.ts";
import { imageJobPlural } from "../../api/group.ts";
import type { ImageJob } from "../../api/imagejob.ts";
import { labels } from "../../api/worker-contract.ts";
import type { Apis } from "../../k8s/client.ts";
import { deleteClusterObject, patchClusterStatus } from "../../k8s/custom.ts";
import { describeError, isNotFound } from "../../k8s/errors.ts";
import type { EventRecorder } from "../../observability/events.ts";
import type { Logger } from "../../observability/logger.ts";
import type { ManagerMetrics } from "../../observability/metrics.ts";
import type { Clock } from "../clock.ts";
import type { CachedNode, CachedPod } from "../cached-objects.ts";
import type { ClusterState } from "../cluster-state.ts";
import { jobPhase } from "../job-phase.ts";
import { annotations, modeOf, recordOnImageList } from "../jobs.ts";
import { compileNodeFilter, runsLinux } from "../node-filter.ts";
import { buildWorkerPodWithPodImages, type PodInputs } from "../pods/node-pod-images.ts";
import type { ReconcileResult } from "../queue.ts";
import { planWave, type ScanOnceDeps, type Wave } from "../scan-once/plan.ts";
import { firstWaveByImages, scanOnceApplies } from "../scan-once/waves.ts";
import { replaceLostScouts } from "../scan-once/lost-scouts.ts";
import type { VerdictStore } from "../scan-once/verdict-store.ts";
import { jobRef, named, recordLeftNodes, skippedOs } from "../job-events.ts";
import { FailedNodes } from "./failed-nodes.ts";
import { goneNodes } from "./gone-nodes.ts";
import { DeletedPods } from "./deleted-pods.ts";
import type { DeletedPodsStore } from "./deleted-pods-store.ts";
import { LateResults } from "./late-results.ts";
import { refusedFailures, RefusedPods } from "./refused-pods.ts";
import { addNodeFailures, jobProgress, onePodPerNode, type JobProgress, type NodeFailure } from "./job-progress.ts";
import type { PodCreator } from "./pod-creator.ts";
import type { PodImagesAfterScan } from "./pod-images-after-scan.ts";
import type { JobTargets, Targets } from "./job-targets.ts";
import { madeByAnotherManager, type ForeignJobs } from "./foreign-job.ts";
import type { DroppedStatusFields } from "../dropped-status-fields.ts";

export interface ImageJobControllerDeps {
  apis: Apis;
  state: ClusterState;
  config: () => EraserConfig;
  namespace: string;
  clock: Clock;
  events: EventRecorder;
  metrics: ManagerMetrics;
  creator: PodCreator;
  afterScan: PodImagesAfterScan;
  targets: JobTargets;
  foreign: ForeignJobs;
  dropped: DroppedStatusFields;
  verdicts: VerdictStore;
  deletedPods: DeletedPodsStore;
  podTimeoutMs: number;
  logger: Logger;
  /** Told when an automatic job ends, before it can be cleaned up (the schedule counts from it). */
  onAutomaticJobFinished: (name: string, finishedMs: number) => Promise<void>;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const recheckMs = 30_000;
/** A write that failed and may pass. */
const retryMs = 2000;
/** `result`, or a pass within `ms` if that is sooner (a write that had to wait). */
const sooner = (result: ReconcileResult, ms: number | undefined): ReconcileResult =>
  ms === undefined ? result : { requeueAfterMs: Math.min(result?.requeueAfterMs ?? ms, ms) };

export class ImageJobController {
  readonly #d: ImageJobControllerDeps;
  readonly #failed = new FailedNodes();
  readonly #refused = new RefusedPods();
  readonly #deleted = new DeletedPods();
  readonly #late = new LateResults();

  constructor(deps: ImageJobControllerDeps) {
    this.#d = deps;
  }

  async reconcile(name: string): Promise<ReconcileResult> {
    const job = this.#d.state.imageJob(name);
    if (job === undefined || job.metadata.deletionTimestamp !== undefined) {
      this.#forget(name);
      return undefined;
    }
    const phase = job.status?.phase;
    if (phase === "Completed" || phase === "Failed") return this.#cleanup(job);
    const config = this.#d.config();
    if (phase === undefined) return madeByAnotherManager(job) ? this.#d.foreign.reconcile(job, config) : this.#start(job, config);
    const recorded = await this.#d.targets.find(name);
    if (recorded === undefined) return this.#d.foreign.reconcile(job, config);
    return this.#advance(job, config, recorded);
  }

  /**
   * A new term as leader. What this manager held of its jobs from an earlier term may be stale:
   * another leader may have run them meanwhile and recorded what it saw (a pod that finished,
   * then went). Start again from the cluster's records, as a new manager does.
   */
  startTerm(): void {
    for (const name of new Set([...this.#d.state.allImageJobs().map((j) => j.metadata.name), ...this.#deleted.jobs()])) this.#forget(name);
  }

  /** Writes what only this manager knows of deleted pods, without waiting: it is about to stop leading. */
  async saveDeletedPods(): Promise<void> {
    const ledgers = this.#deleted.jobs().flatMap((name) => {
      const job = this.#d.state.imageJob(name);
      return job === undefined ? [] : [{ job, version: this.#deleted.version(name), saved: () => this.#deleted.saved(name) }];
    });
    const written = await this.#d.deletedPods.saveNow(ledgers, this.#d.clock.now());
    if (written > 0) this.#d.logger.info({ jobs: written }, "Saved the running jobs' deleted pods before stopping");
  }

  #selectedNodes(config: EraserConfig): { all: CachedNode[]; selected: string[]; notLinux: number } {
    const filter = compileNodeFilter(config.manager.nodeFilter);
    const all = [...this.#d.state.nodes.list()];
    const selected = all.filter((n) => filter(n.metadata.labels ?? {})).map((n) => n.metadata.name);
    return { all, selected: selected.sort(), notLinux: all.filter((n) => !runsLinux(n.metadata.labels ?? {})).length };
  }

  async #start(job: ImageJob, config: EraserConfig): Promise<ReconcileResult> {
    const { all, selected: chosen, notLinux } = this.#selectedNodes(config);
    const mode = modeOf(job);
    const { nodes: selected, firstWave } = await this.#d.targets.record(job, { nodes: chosen, ...this.#chooseFirstWave(job, mode, config, chosen) });
    const dryRun = job.metadata.annotations?.[annotations.dryRun] === "true";
    const status = { phase: "Running", desired: all.length, skipped: all.length - selected.length, succeeded: 0, failed: 0, startTime: iso(this.#d.clock.now()), mode, dryRun };
    this.#d.dropped.check(jobRef(job), status, await patchClusterStatus(this.#d.apis, imageJobPlural, job.metadata.name, status));
    this.#d.metrics.jobStarted(mode);
    const scout = firstWave === undefined ? "" : `; first to scan, for the others to reuse: ${named(firstWave)}`;
    this.#d.events.record(jobRef(job), "Normal", "JobStarted", `${mode} job started: ${selected.length} of ${all.length} nodes selected${skippedOs(notLinux)}${dryRun ? " (dry run)" : ""}${scout}`);
    return { requeueAfterMs: 0 };
  }

  /** When the job scans once per run: its first wave, by the images the nodes' kubelets list. */
  #chooseFirstWave(job: ImageJob, mode: "manual" | "automatic", config: EraserConfig, nodes: readonly string[]): { firstWave?: string[] } {
    if (!scanOnceApplies(mode, config, nodes.length)) return {};
    const wave = firstWaveByImages(nodes, config.components.scanner.config.scanOnce.firstWaveNodes, (n) => this.#d.state.nodeImages(n));
    this.#d.logger.info({ job: job.metadata.name, nodes: wave.nodes, sharedImagesCovered: wave.shared.covered, sharedImages: wave.shared.of }, "Chose the first wave by the images the nodes hold");
    return { firstWave: wave.nodes };
  }

  async #advance(job: ImageJob, config: EraserConfig, recorded: Targets): Promise<ReconcileResult> {
    const name = job.metadata.name;
    const { nodes: targets, firstWave } = recorded;
    const hasNode = (n: string): boolean => this.#d.state.hasNode(n);
    const cached = onePodPerNode(this.#d.state.podsOfJob(name));
    const pending = this.#d.creator.pending(name, new Set(cached.map((p) => p.spec?.nodeName ?? "")));
    const saved = await this.#d.deletedPods.load(name);
    if (saved !== undefined) this.#deleted.restore(name, saved);
    const observed = this.#deleted.observe(name, cached, pending, { has: hasNode, cordoned: (n) => this.#d.state.isCordoned(n) });
    const saveAgainInMs = await this.#d.deletedPods.sync(job, this.#deleted.version(name), () => this.#deleted.saved(name), this.#d.clock.now());
    if (observed.deletedOnce.length > 0) this.#d.logger.info({ job: name, nodes: observed.deletedOnce }, "Worker pods were deleted before they finished; making them again, once");
    const { gone, pods } = goneNodes(targets, observed.pods, hasNode);
    const seen = new Set(pods.map((p) => p.spec?.nodeName ?? ""));
    this.#refused.settle(name, seen);
    const withoutPod = [...refusedFailures(this.#refused.of(name)), ...observed.abandoned];
    const noPod = new Set([...gone, ...observed.drained, ...withoutPod.map((f) => f.node)]);
    const departed = new Set([...gone, ...observed.drained]);
    const scouts = await replaceLostScouts(this.#d, { job, mode: modeOf(job), config, targets, departed, noPod, ...(firstWave === undefined ? {} : { firstWave }) });
    const wave = await planWave(this.#scanOnce(), { job, mode: modeOf(job), config, targets, ...(scouts === undefined ? {} : { firstWave: scouts }), noPod, pods });
    if (wave.shared !== undefined) this.#recordShared(job, wave.shared, wave.nodes.length);
    const missing = wave.nodes.filter((n) => !seen.has(n) && !pending.has(n));
    // Beside the creations, each under its own rate limit: a remover waits for its list (ADR 0023).
    const [unsetAfterScan, created] = await Promise.all([this.#listAfterScans(job, pods), missing.length > 0 ? this.#createPods(job, config, missing, wave.scanVerdicts) : undefined]);
    const soon = unsetAfterScan > 0 ? Math.min(saveAgainInMs ?? retryMs, retryMs) : saveAgainInMs;
    if (missing.length > 0) return sooner(created, soon);
    const progress = this.#progress(pods, withoutPod, config);
    if (pending.size > 0 || progress.running > 0) return sooner(await this.#report(job, progress), soon);
    return this.#finish(job, config, progress, { gone: [...gone].sort(), drained: [...observed.drained].filter((n) => !gone.has(n)).sort() });
  }

  /** Automatic jobs: the lists of the pods' images after each node's scan (ADR 0023); how many are still due. */
  #listAfterScans(job: ImageJob, pods: readonly CachedPod[]): Promise<number> {
    return modeOf(job) === "automatic" ? this.#d.afterScan.refresh(job, pods) : Promise.resolve(0);
  }

  /** `withoutPod`: nodes that failed with no pod to show it (refused, or given up on). */
  #progress(pods: readonly CachedPod[], withoutPod: readonly NodeFailure[], config: EraserConfig): JobProgress {
    const progress = jobProgress(pods, this.#d.clock.now(), {
      podTimeoutMs: this.#d.podTimeoutMs,
      scanTimeoutMs: config.components.scanner.config.timeout.totalMs,
      readiness: (n) => this.#d.state.nodeReadiness(n),
    });
    return addNodeFailures(progress, withoutPod);
  }

  #scanOnce(): ScanOnceDeps {
    return { store: this.#d.verdicts, nowMs: this.#d.clock.now(), podTimeoutMs: this.#d.podTimeoutMs };
  }

  #recordShared(job: ImageJob, shared: NonNullable<Wave["shared"]>, nodes: number): void {
    const log = this.#d.logger.child({ job: job.metadata.name });
    for (const problem of shared.problems) log.warn({ problem }, "A first-wave verdict is not shared");
    const left = shared.problems.length === 0 ? "" : ` (${shared.problems.length} left out, see the manager's log)`;
    const message = `the first ${shared.firstWave} nodes shared ${shared.verdicts} scan verdicts, ${shared.flagged} non-compliant${left}; the other ${nodes - shared.firstWave} nodes start now and scan only the rest`;
    log.info({ verdicts: shared.verdicts, flagged: shared.flagged, problems: shared.problems.length }, "Shared the first wave's scan verdicts");
    this.#d.events.record(jobRef(job), "Normal", "ScanVerdictsShared", message);
  }

  async #createPods(job: ImageJob, config: EraserConfig, nodes: string[], scanVerdicts: PodInputs["scanVerdicts"]): Promise<ReconcileResult> {
    const uid = job.metadata.uid ?? "";
    const mode = modeOf(job);
    const exclusions = this.#d.state.exclusionConfigMaps();
    const podJob = {
      name: job.metadata.name,
      uid,
      mode,
      dryRun: job.metadata.annotations?.[annotations.dryRun] === "true",
      ...(mode === "manual" ? { imageListConfigMap: `${job.metadata.name}-imagelist` } : {}),
    };
    const { created, failed } = await this.#d.creator.create(job.metadata.name, nodes, (nodeName) =>
      buildWorkerPodWithPodImages(this.#d.apis, { job: podJob, nodeName, config, exclusionConfigMaps: exclusions, namespace: this.#d.namespace, ...(scanVerdicts === undefined ? {} : { scanVerdicts }) }),
    );
    this.#d.logger.info({ job: job.metadata.name, created, remaining: nodes.length - created - failed.length }, "Created worker pods");
    const now = this.#d.clock.now();
    const firsts: typeof failed = [];
    for (const f of failed) {
      if (f.refused) this.#refused.record(job.metadata.name, f.node, f.reason);
      else if (this.#refused.failedForNow(job.metadata.name, f.node, f.reason, now, this.#d.podTimeoutMs)) firsts.push(f);
    }
    for (const f of firsts.slice(0, 5)) this.#d.events.record(jobRef(job), "Warning", "PodCreateFailed", `node ${f.node}: ${f.reason} (retrying for up to --pod-timeout)`);
    return { requeueAfterMs: failed.some((x) => !x.refused) ? retryMs : 0 };
  }

  async #report(job: ImageJob, progress: JobProgress): Promise<ReconcileResult> {
    const s = job.status ?? {};
    const { listed, fresh } = this.#failed.update(job.metadata.name, s.failedNodes, progress.failures);
    if (s.succeeded !== progress.succeeded || s.failed !== progress.failed || fresh.length > 0) {
      await patchClusterStatus(this.#d.apis, imageJobPlural, job.metadata.name, { succeeded: progress.succeeded, failed: progress.failed, failedNodes: listed });
    }
    this.#announceFailed(job, fresh);
    // At least every 30 s: a node that stops being Ready changes no pod of ours by itself.
    const next = progress.nextTimeoutMs === undefined ? recheckMs : Math.min(recheckMs, Math.max(0, progress.nextTimeoutMs - this.#d.clock.now()) + 100);
    return { requeueAfterMs: next };
  }

  /** `left`: nodes that left the cluster, or were drained, before their pod finished; counted as skipped. */
  async #finish(job: ImageJob, config: EraserConfig, progress: JobProgress, left: { gone: readonly string[]; drained: readonly string[] }): Promise<ReconcileResult> {
    const s = job.status ?? {};
    const skipped = (s.skipped ?? 0) + left.gone.length + left.drained.length;
    const desired = Math.max(s.desired ?? 0, progress.succeeded + progress.failed + skipped);
    const counts = { desired, succeeded: progress.succeeded, failed: progress.failed, skipped };
    const phase = jobPhase(counts, config.manager.imageJob.successRatio) === "Completed" ? "Completed" : "Failed";
    const now = this.#d.clock.now();
    const cleanup = config.manager.imageJob.cleanup;
    const delay = phase === "Completed" ? cleanup.delayOnSuccessMs : cleanup.delayOnFailureMs;
    const failed = this.#failed.update(job.metadata.name, s.failedNodes, progress.failures);
    const status = {
      ...counts,
      phase,
      removed: progress.removed,
      removedBytes: progress.removedBytes,
      vulnerable: progress.vulnerable,
      scanned: progress.scanned,
      scansReused: progress.scansReused,
      unjudged: progress.unjudged,
      failedNodes: failed.listed,
      completionTime: iso(now),
      deleteAfter: iso(now + delay),
    };
    if (modeOf(job) === "automatic") await this.#d.onAutomaticJobFinished(job.metadata.name, now);
    await patchClusterStatus(this.#d.apis, imageJobPlural, job.metadata.name, status);
    recordLeftNodes(this.#d, job, left);
    this.#announceFailed(job, failed.fresh);
    // Metrics and Events first: whoever sees the job end may read /metrics at once.
    this.#recordFinish(job, phase, progress, now);
    await recordOnImageList(this.#d.apis, job, counts, now);
    if (progress.failed > 0) await this.#deleteUnstartedPods(job.metadata.name);
    return { requeueAfterMs: progress.failed > 0 ? Math.min(delay, recheckMs) : delay };
  }

  /**
   * A pod still Pending when its job ends never ran and never will be waited for; it holds its
   * requests on the node (the scanner asks for a whole core) until the job's cleanup, 24 hours
   * after a failure by default, and a lost node whose kubelet comes back would run it for a job
   * already decided. Its reason is in the job's status and Events; pods that ran stay until the
   * cleanup, for their logs.
   */
  async #deleteUnstartedPods(job: string): Promise<void> {
    try {
      await this.#d.apis.core.deleteCollectionNamespacedPod({ namespace: this.#d.namespace, labelSelector: `${labels.job}=${job}`, fieldSelector: "status.phase=Pending" });
    } catch (error) {
      this.#d.logger.warn({ job, err: describeError(error) }, "Could not delete the job's unstarted pods; they go at its cleanup");
    }
  }

  #announceFailed(job: ImageJob, fresh: readonly NodeFailure[]): void {
    for (const f of fresh) this.#d.events.record(jobRef(job), "Warning", "NodeFailed", `node ${f.node}: ${f.reason}`);
  }

  #recordFinish(job: ImageJob, phase: "Completed" | "Failed", progress: JobProgress, now: number): void {
    const mode = modeOf(job);
    const started = job.status?.startTime === undefined ? now : new Date(job.status.startTime).getTime();
    this.#d.metrics.jobFinished(mode, phase, (now - started) / 1000);
    this.#d.metrics.podsCompleted(progress.succeeded);
    this.#d.metrics.podsFailed(progress.failed);
    this.#d.metrics.imagesRemoved(progress.removed);
    this.#d.metrics.vulnerableImages(progress.vulnerable);
    this.#d.metrics.unjudgedImages(progress.unjudged);
    const summary = `${phase}: ${progress.succeeded} succeeded, ${progress.failed} failed, ${progress.removed} images removed`;
    this.#d.events.record(jobRef(job), phase === "Completed" ? "Normal" : "Warning", phase === "Completed" ? "JobCompleted" : "JobFailed", summary);
  }

  async #cleanup(job: ImageJob): Promise<ReconcileResult> {
    const name = job.metadata.name;
    const deleteAfter = job.status?.deleteAfter === undefined ? 0 : new Date(job.status.deleteAfter).getTime();
    const wait = deleteAfter - this.#d.clock.now();
    if (wait > 0) {
      // Level-triggered: an unstarted pod the job's end did not delete (the API server refused,
      // or the manager stopped in between) is deleted on the next pass, whoever ended the job.
      const pods = this.#d.state.podsOfJob(name);
      this.#tellLate(job, pods);
      // A pod that outlived its job (a node lost, then back) still gets its list (ADR 0023).
      const unset = await this.#listAfterScans(job, pods);
      const unstarted = pods.some((p) => p.status?.phase === "Pending" && p.metadata.deletionTimestamp === undefined);
      if (unstarted) await this.#deleteUnstartedPods(name);
      return { requeueAfterMs: Math.min(wait, unset > 0 ? retryMs : unstarted ? recheckMs : wait) };
    }
    // Pods go with the job through owner references; deleting them directly is just faster.
    await this.#d.apis.core.deleteCollectionNamespacedPod({ namespace: this.#d.namespace, labelSelector: `${labels.job}=${name}` }).catch(() => undefined);
    try {
      await deleteClusterObject(this.#d.apis, imageJobPlural, name);
      this.#d.logger.info({ job: name }, "Deleted finished ImageJob and its pods");
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    this.#forget(name);
    return undefined;
  }

  /** Failed nodes whose pods finished after the job ended (late-results.ts): one Event each. */
  #tellLate(job: ImageJob, pods: readonly CachedPod[]): void {
    const failed = (job.status?.failedNodes ?? []).map((f) => f.node);
    for (const late of this.#late.observe(job.metadata.name, failed, pods)) {
      this.#d.logger.info({ job: job.metadata.name, ...late }, "A node counted failed finished after its job ended; the job's totals stay as they were");
      this.#d.events.record(jobRef(job), "Normal", "NodeFinishedLate", `node ${late.node}: its worker pod finished after the job counted the node failed, removing ${late.removed} image(s) (${late.removedBytes} bytes); the job's totals do not include them`);
    }
  }

  #forget(name: string): void {
    this.#d.creator.forget(name);
    this.#d.afterScan.forget(name);
    this.#d.targets.forget(name);
    this.#d.verdicts.forget(name);
    this.#failed.forget(name);
    this.#refused.forget(name);
    this.#deleted.forget(name);
    this.#d.deletedPods.forget(name);
    this.#late.forget(name);
  }
}
