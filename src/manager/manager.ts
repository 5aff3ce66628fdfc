// The controller-manager assembled: informers (always on, so a standby is warm), one work queue
// per kind, the automatic scheduler, all of it running only while this replica leads.
import { hostname } from "node:os";
import type { KubeConfig } from "@kubernetes/client-node";
import { imageListName } from "../api/group.ts";
import { makeApis, type Apis } from "../k8s/client.ts";
import { describeError } from "../k8s/errors.ts";
import { EventRecorder } from "../observability/events.ts";
import { startHttpServer, type HttpServer } from "../observability/http-server.ts";
import type { Logger } from "../observability/logger.ts";
import { followProfileSetting } from "./profiler-switch.ts";
import { ManagerMetrics } from "../observability/metrics.ts";
import { exportIntervalMs, startOtlpExport } from "../observability/otlp.ts";
import { systemClock, type Clock } from "./clock.ts";
import { ClusterState } from "./cluster-state.ts";
import { startCaches } from "./caches-ready.ts";
import { ConfigSource } from "./config/source.ts";
import { ImageJobController } from "./controllers/imagejob-controller.ts";
import { ImageListController } from "./controllers/imagelist-controller.ts";
import { ImageListRuns } from "./controllers/imagelist-runs.ts";
import { ForeignJobs } from "./controllers/foreign-job.ts";
import { DroppedStatusFields } from "./dropped-status-fields.ts";
import { JobGate } from "./controllers/job-gate.ts";
import { PodCreator } from "./controllers/pod-creator.ts";
import type { LimitedRun } from "./controllers/limited-run.ts";
import { PodImagesAfterScan } from "./controllers/pod-images-after-scan.ts";
import { DeletedPodsStore } from "./controllers/deleted-pods-store.ts";
import { JobTargets } from "./controllers/job-targets.ts";
import { VerdictStore } from "./scan-once/verdict-store.ts";
import { runLeaderElection } from "./leader/election.ts";
import { WorkQueue, type Reconciler } from "./queue.ts";
import { ClusterAutomaticJobs, ConfigMapScheduleStore, policyFrom, recordAutomaticFinish } from "./schedule/cluster-adapters.ts";
import { AutomaticScheduler } from "./schedule/scheduler.ts";
import { TokenBucket } from "./token-bucket.ts";

export interface ManagerOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  logger: Logger;
  httpPort: number;
  leaderElect: boolean;
  leaseName: string;
  identity?: string;
  leaseDurationMs: number;
  podTimeoutMs: number;
  podCreationQps: number;
  podCreationBurst: number;
  podCreationConcurrency: number;
  clock?: Clock;
}

export interface RunningManager {
  httpPort: number;
  isLeading(): boolean;
  stop(): Promise<void>;
}

/** The manager's config, read once (start-up fails on an invalid one) and then watched, and the profiler it drives. */
async function startConfig(o: ManagerOptions, apis: Apis, events: EventRecorder): Promise<{ config: ConfigSource; profiler: Awaited<ReturnType<typeof followProfileSetting>> }> {
  const config = new ConfigSource({ kubeConfig: o.kubeConfig, apis, namespace: o.namespace, logger: o.logger.child({ part: "config" }), events });
  await config.start();
  return { config, profiler: await followProfileSetting(config, o.logger) };
}

export async function startManager(o: ManagerOptions): Promise<RunningManager> {
  const clock = o.clock ?? systemClock;
  const apis = makeApis(o.kubeConfig);
  const logger = o.logger;
  const events = new EventRecorder({ core: apis.core, component: "eraser-manager", logger: logger.child({ part: "events" }) });
  const metrics = new ManagerMetrics();
  // Serving before the first lists: a manager that waits for them (a large cluster, RBAC that
  // lands after the Deployment) answers /healthz, so its liveness probe does not kill it while it
  // waits, and /readyz says it is not ready yet.
  const late: { gate?: JobGate; ready?: () => boolean } = {};
  const http: HttpServer = await startHttpServer({ port: o.httpPort, metrics, isReady: () => late.ready?.() === true, logger });
  const { config, profiler } = await startConfig(o, apis, events);
  let [imageLists, imageJobs]: (WorkQueue | undefined)[] = [undefined, undefined];
  let wakeScheduler = (): void => undefined;
  const state = new ClusterState(o.kubeConfig, apis, o.namespace, logger, {
    imageList: (name) => imageLists?.add(name),
    imageJob: (name) => {
      // First: the ImageList controller asks the gate whether a job runs.
      late.gate?.observed(name);
      imageJobs?.add(name);
      imageLists?.add(imageListName);
      wakeScheduler();
    },
    nodeDeleted: () => {
      for (const job of state.allImageJobs()) if (job.status?.phase === "Running") imageJobs?.add(job.metadata.name);
    },
  });
  late.ready = () => state.synced && config.synced;
  await startCaches(state, logger);
  let mayAct = (): boolean => false; // the current term's fence (election.ts); none before the first
  const { jobController, listController, scheduler, gate } = buildControllers({ o, clock, apis, state, config, events, metrics, logger, mayAct: () => mayAct() });
  late.gate = gate;
  let leading = false;

  const lead = (signal: AbortSignal, termMayAct: () => boolean): void => {
    [leading, mayAct] = [true, termMayAct];
    jobController.startTerm();
    imageJobs = new WorkQueue(fenced(termMayAct, (k) => jobController.reconcile(k)), { workers: 8, onError: logReconcileError(logger, "ImageJob") });
    imageLists = new WorkQueue(fenced(termMayAct, (k) => listController.reconcile(k)), { workers: 1, onError: logReconcileError(logger, "ImageList") });
    for (const job of state.allImageJobs()) imageJobs.add(job.metadata.name);
    for (const list of state.imageLists.list()) imageLists.add(list.metadata?.name ?? "");
    void runSchedulerLoop(scheduler, { signal, mayAct: termMayAct }, logger, (wake) => (wakeScheduler = wake));
    signal.addEventListener("abort", () => {
      leading = false;
      void imageJobs?.stop();
      void imageLists?.stop();
      imageJobs = undefined;
      imageLists = undefined;
    });
  };

  const shutdown = new AbortController();
  const stopOtlp = startOtlpExport({ registry: metrics.registry, endpoint: () => config.current().manager.otlpEndpoint, intervalMs: exportIntervalMs(process.env), logger });
  let election: Promise<void> = Promise.resolve();
  if (o.leaderElect) {
    election = runLeaderElection({
      apis,
      namespace: o.namespace,
      leaseName: o.leaseName,
      identity: o.identity ?? `${hostname()}_${process.pid}`,
      leaseDurationMs: o.leaseDurationMs,
      clock,
      logger,
      onStartedLeading: lead,
      onStoppedLeading: () => undefined,
      signal: shutdown.signal,
    });
  } else {
    lead(shutdown.signal, () => !shutdown.signal.aborted);
  }
  return {
    httpPort: http.port,
    isLeading: () => leading,
    async stop() {
      await Promise.all([imageJobs?.stop(), imageLists?.stop()]);
      if (leading) await saveBeforeStop(jobController, logger);
      shutdown.abort();
      await election;
      // After the controllers, so the push carries everything they counted.
      await stopOtlp();
      await profiler.close();
      await state.stop();
      await config.stop();
      await http.close();
    },
  };
}

/**
 * After the last reconcile and while this manager still leads, saves what only it knows of its
 * jobs' deleted pods: a new leader reads that once, when it first looks at a job. A failure is
 * logged and the stop goes on.
 */
async function saveBeforeStop(jobController: ImageJobController, logger: Logger): Promise<void> {
  try {
    await jobController.saveDeletedPods();
  } catch (error) {
    logger.warn({ err: describeError(error) }, "Could not save the running jobs' deleted pods before stopping");
  }
}

interface Parts {
  o: ManagerOptions;
  clock: Clock;
  apis: ReturnType<typeof makeApis>;
  state: ClusterState;
  config: ConfigSource;
  events: EventRecorder;
  metrics: ManagerMetrics;
  logger: Logger;
  mayAct: () => boolean;
}

/** A reconcile that waits while this manager may not act: the election renews, or steps down. */
function fenced(mayAct: () => boolean, reconcile: Reconciler): Reconciler {
  return (key) => (mayAct() ? reconcile(key) : Promise.resolve({ requeueAfterMs: 500 }));
}

function logReconcileError(logger: Logger, kind: string) {
  return (key: string, error: unknown, retryInMs: number): void => {
    logger.error({ kind, key, err: describeError(error), retryInMs }, "Reconcile failed; retrying");
  };
}

function buildControllers({ o, clock, apis, state, config, events, metrics, logger, mayAct }: Parts): {
  jobController: ImageJobController;
  listController: ImageListController;
  scheduler: AutomaticScheduler;
  gate: JobGate;
} {
  const gate = new JobGate(state, clock);
  const dropped = new DroppedStatusFields(events, logger);
  // The lists after scans (ADR 0023) come at most as fast as the pods were made, under a bucket of
  // their own: sharing the creations' would halve the creation rate of a job whose scans end while
  // it still makes pods (the collector alone ends in seconds).
  const limited = (): LimitedRun => ({ limiter: new TokenBucket(o.podCreationQps, o.podCreationBurst, clock), clock, concurrency: o.podCreationConcurrency, budgetMs: 2000 });
  const creator = new PodCreator({ apis, namespace: o.namespace, logger, mayAct, ...limited() });
  const afterScan = new PodImagesAfterScan({ apis, namespace: o.namespace, events, logger: logger.child({ controller: "imagejob" }), ...limited() });
  const store = new ConfigMapScheduleStore(apis, o.namespace);
  const jobController = new ImageJobController({
    apis,
    state,
    config: () => config.current(),
    namespace: o.namespace,
    clock,
    events,
    metrics,
    creator,
    afterScan,
    targets: new JobTargets(apis, o.namespace),
    dropped,
    foreign: new ForeignJobs({ apis, namespace: o.namespace, clock, podTimeoutMs: o.podTimeoutMs, events, logger: logger.child({ controller: "imagejob" }) }),
    verdicts: new VerdictStore(apis, o.namespace),
    deletedPods: new DeletedPodsStore(apis, o.namespace, logger.child({ controller: "imagejob" })),
    podTimeoutMs: o.podTimeoutMs,
    logger: logger.child({ controller: "imagejob" }),
    onAutomaticJobFinished: (name, finishedMs) => recordAutomaticFinish(store, name, finishedMs),
  });
  const listController = new ImageListController({ apis, state, gate, runs: new ImageListRuns(apis, o.namespace, logger.child({ controller: "imagelist" }), dropped), namespace: o.namespace, events, logger: logger.child({ controller: "imagelist" }) });
  const scheduler = new AutomaticScheduler({
    store,
    jobs: new ClusterAutomaticJobs({ apis, state, gate, manualPending: () => listController.pending(), config: () => config.current() }),
    now: () => clock.now(),
    policy: () => policyFrom(config.current()),
    logger: logger.child({ part: "scheduler" }),
  });
  return { jobController, listController, scheduler, gate };
}

async function runSchedulerLoop(scheduler: AutomaticScheduler, term: { signal: AbortSignal; mayAct: () => boolean }, logger: Logger, setWake: (wake: () => void) => void): Promise<void> {
  const { signal } = term;
  while (!signal.aborted) {
    let delay: number;
    try {
      delay = term.mayAct() ? await scheduler.tick() : 500;
    } catch (error) {
      logger.error({ err: describeError(error) }, "Scheduler tick failed; retrying");
      delay = 10_000;
    }
    // A timer is only a wake-up: the schedule itself lives in the cluster.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.min(delay, 60_000));
      setWake(() => {
        clearTimeout(timer);
        setTimeout(resolve, 200);
      });
      signal.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve();
      }, { once: true });
    });
  }
}
