// The scheduler's two edges in the cluster: its state in ConfigMap eraser-schedule, and the
// ImageJobs it starts and watches. The policy comes from the live EraserConfig.
import type { EraserConfig } from "../../api/config/types.ts";
import type { Apis } from "../../k8s/client.ts";
import { isNotFound } from "../../k8s/errors.ts";
import type { ClusterState } from "../cluster-state.ts";
import type { JobGate } from "../controllers/job-gate.ts";
import { startAutomaticJob } from "../jobs.ts";
import { compileCron } from "./cron.ts";
import type { SchedulePolicy } from "./next-run.ts";
import type { AutomaticJobs, JobState, ScheduleStore } from "./scheduler.ts";
import { decodeSchedule, encodeSchedule, scheduleConfigMapName, type StoredSchedule } from "./state-codec.ts";
import { compileWindow } from "./window.ts";

export class ConfigMapScheduleStore implements ScheduleStore {
  readonly #apis: Apis;
  readonly #namespace: string;

  constructor(apis: Apis, namespace: string) {
    this.#apis = apis;
    this.#namespace = namespace;
  }

  async load(): Promise<StoredSchedule> {
    try {
      const cm = await this.#apis.core.readNamespacedConfigMap({ name: scheduleConfigMapName, namespace: this.#namespace });
      return decodeSchedule(cm.data);
    } catch (error) {
      if (isNotFound(error)) return { state: {} };
      throw error;
    }
  }

  async save(stored: StoredSchedule): Promise<void> {
    const body = { metadata: { name: scheduleConfigMapName, namespace: this.#namespace }, data: encodeSchedule(stored) };
    try {
      await this.#apis.core.replaceNamespacedConfigMap({ name: scheduleConfigMapName, namespace: this.#namespace, body });
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await this.#apis.core.createNamespacedConfigMap({ namespace: this.#namespace, body });
    }
  }
}

export interface AutomaticJobsDeps {
  apis: Apis;
  state: ClusterState;
  gate: JobGate;
  manualPending: () => boolean;
  config: () => EraserConfig;
}

/** Records the end of the schedule's last run, if `name` is that run (idempotent). */
export async function recordAutomaticFinish(store: ScheduleStore, name: string, finishedMs: number): Promise<void> {
  const stored = await store.load();
  if (stored.lastJob !== name || stored.state.lastFinishedMs !== undefined) return;
  await store.save({ ...stored, state: { ...stored.state, lastFinishedMs: finishedMs } });
}

export class ClusterAutomaticJobs implements AutomaticJobs {
  readonly #d: AutomaticJobsDeps;

  constructor(deps: AutomaticJobsDeps) {
    this.#d = deps;
  }

  anyJobRunning(): Promise<boolean> {
    return Promise.resolve(this.#d.gate.running() !== undefined || this.#d.manualPending());
  }

  stateOf(name: string): Promise<JobState> {
    const job = this.#d.state.imageJob(name);
    if (job === undefined) return Promise.resolve("absent");
    const phase = job.status?.phase;
    return Promise.resolve(phase === "Completed" || phase === "Failed" ? "finished" : "running");
  }

  async createAutomaticJob(name: string): Promise<"created" | "exists"> {
    const outcome = await startAutomaticJob(this.#d.apis, name, this.#d.config().manager.dryRun);
    this.#d.gate.started(name);
    return outcome;
  }
}

/** Automatic mode runs when the collector is enabled (as in Eraser); the scanner is optional. */
export function policyFrom(config: EraserConfig): SchedulePolicy | undefined {
  if (!config.components.collector.enabled) return undefined;
  const s = config.manager.scheduling;
  const policy: SchedulePolicy = { repeatIntervalMs: s.repeatIntervalMs, beginImmediately: s.beginImmediately };
  if (s.cron !== undefined) policy.cron = compileCron(s.cron, s.timeZone);
  if (s.maintenanceWindow !== undefined) {
    policy.window = compileWindow({ start: s.maintenanceWindow.start, durationMs: s.maintenanceWindow.durationMs, timeZone: s.timeZone, days: s.maintenanceWindow.days });
  }
  return policy;
}
