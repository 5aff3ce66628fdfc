// Maintenance windows: automatic runs start only inside one. A window opens at a wall-clock time
// in a time zone, on chosen weekdays (default every day), and stays open for a duration; it may
// cross midnight. A run that is already going is not stopped when the window closes.
import { addDays, assertTimeZone, instantOfWallTime, wallTimeAt } from "./zoned-time.ts";

export interface MaintenanceWindowSpec {
  /** "HH:MM" (24-hour) in `timeZone`. */
  start: string;
  durationMs: number;
  timeZone: string;
  /** Weekdays on which the window opens, 0 = Sunday; empty or absent = every day. */
  days?: readonly number[];
}

export interface MaintenanceWindow {
  /** The earliest instant >= `atMs` inside a window. */
  nextOpenAt(atMs: number): number;
  contains(atMs: number): boolean;
}

const dayMs = 24 * 60 * 60 * 1000;

export function compileWindow(spec: MaintenanceWindowSpec): MaintenanceWindow {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(spec.start);
  if (match === null) throw new Error(`maintenance window start "${spec.start}" is not HH:MM (24-hour)`);
  if (!(spec.durationMs > 0 && spec.durationMs < 7 * dayMs)) {
    throw new Error(`maintenance window duration must be more than 0 and less than 7 days`);
  }
  assertTimeZone(spec.timeZone);
  const hour = Number(match[1]);
  const minute = Number(match[2]);
  const days = spec.days !== undefined && spec.days.length > 0 ? new Set(spec.days) : undefined;

  /** Window openings on the calendar days around `atMs`, earliest first. */
  const openingsAround = (atMs: number, fromDay: number, toDay: number): number[] => {
    const today = wallTimeAt(atMs, spec.timeZone);
    const openings: number[] = [];
    for (let offset = fromDay; offset <= toDay; offset++) {
      const date = addDays(today, offset);
      if (days !== undefined && !days.has(date.weekday)) continue;
      openings.push(instantOfWallTime({ ...date, hour, minute, second: 0 }, spec.timeZone));
    }
    return openings;
  };

  const contains = (atMs: number): boolean =>
    openingsAround(atMs, -7, 0).some((open) => open <= atMs && atMs < open + spec.durationMs);

  return {
    contains,
    nextOpenAt(atMs) {
      if (contains(atMs)) return atMs;
      const next = openingsAround(atMs, 0, 8).find((open) => open >= atMs);
      if (next === undefined) throw new Error("maintenance window never opens");
      return next;
    },
  };
}
