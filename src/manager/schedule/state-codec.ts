// The automatic schedule's state, as kept in the cluster (ConfigMap `eraser-schedule` in the
// manager's namespace), so that a restarted or newly elected manager continues the same clock.
import * as z from "../../api/zod.ts";
import type { ScheduleState } from "./next-run.ts";

export const scheduleConfigMapName = "eraser-schedule";

const instant = z.pipe(z.iso.datetime({ offset: true }), z.transform((text) => Date.parse(text)));

const ScheduleDataSchema = z.object({
  firstSeen: z.optional(instant),
  lastScheduled: z.optional(instant),
  lastStarted: z.optional(instant),
  lastFinished: z.optional(instant),
  lastJob: z.optional(z.string().check(z.minLength(1))),
});

export interface StoredSchedule {
  state: ScheduleState;
  /** The ImageJob of the last automatic run. */
  lastJob?: string;
}

/** Reads the ConfigMap's data; a corrupt entry is an error naming it (the caller reports it). */
export function decodeSchedule(data: Record<string, string> | undefined): StoredSchedule {
  const parsed = ScheduleDataSchema.safeParse(data ?? {});
  if (!parsed.success) {
    throw new Error(`ConfigMap ${scheduleConfigMapName} holds an invalid schedule: ${z.prettifyError(parsed.error)}`);
  }
  const d = parsed.data;
  const state: ScheduleState = {};
  if (d.firstSeen !== undefined) state.firstSeenMs = d.firstSeen;
  if (d.lastScheduled !== undefined) state.lastScheduledMs = d.lastScheduled;
  if (d.lastStarted !== undefined) state.lastStartedMs = d.lastStarted;
  if (d.lastFinished !== undefined) state.lastFinishedMs = d.lastFinished;
  return d.lastJob === undefined ? { state } : { state, lastJob: d.lastJob };
}

export function encodeSchedule(stored: StoredSchedule): Record<string, string> {
  const data: Record<string, string> = {};
  const put = (key: string, ms: number | undefined): void => {
    if (ms !== undefined) data[key] = new Date(ms).toISOString();
  };
  put("firstSeen", stored.state.firstSeenMs);
  put("lastScheduled", stored.state.lastScheduledMs);
  put("lastStarted", stored.state.lastStartedMs);
  put("lastFinished", stored.state.lastFinishedMs);
  if (stored.lastJob !== undefined) data["lastJob"] = stored.lastJob;
  return data;
}

/**
 * The automatic job's name follows from the instant it was scheduled for, so a manager that dies
 * between creating the job and recording it re-derives the same name and finds the job instead of
 * creating a second one.
 */
export function automaticJobName(scheduledMs: number): string {
  return `imagejob-auto-${Math.floor(scheduledMs / 1000).toString(36)}`;
}
