// Cron expressions in node-cron syntax (5 fields, or 6 with seconds), evaluated in a time zone.
// node-cron parses and validates the expression; the next fire time is computed here as a pure
// function of an instant, because the schedule must be recomputed from cluster state after a
// restart rather than live in a timer.
import { parse, validateDetailed, type ParsedFields } from "node-cron";
import { addDays, assertTimeZone, daysInMonth, instantOfWallTime, wallTimeAt, type WallTime } from "./zoned-time.ts";

export interface CronSchedule {
  readonly expression: string;
  readonly timeZone: string;
  /** The first fire time strictly after `afterMs`, or undefined if none within five years. */
  next(afterMs: number): number | undefined;
}

export class CronError extends Error {
  override readonly name = "CronError";
}

const searchDays = 5 * 366;

export function compileCron(expression: string, timeZone = "UTC"): CronSchedule {
  const validation = validateDetailed(expression);
  if (!validation.valid) {
    const details = validation.errors.map((e) => `${e.field}: ${e.message}`).join("; ");
    throw new CronError(`invalid cron expression "${expression}": ${details}`);
  }
  assertTimeZone(timeZone);
  const fields = parse(expression);
  return { expression, timeZone, next: (afterMs) => nextFire(fields, timeZone, afterMs) };
}

function nextFire(fields: ParsedFields, timeZone: string, afterMs: number): number | undefined {
  const start = wallTimeAt(afterMs, timeZone);
  const times = timesOfDay(fields);
  for (let offset = 0; offset <= searchDays; offset++) {
    const date = addDays(start, offset);
    if (!matchesDate(fields, date)) continue;
    for (const time of times) {
      const instant = instantOfWallTime({ ...date, ...time }, timeZone);
      // A wall time a DST jump skipped resolves into another hour; it is not a fire time.
      if (instant > afterMs && wallTimeAt(instant, timeZone).hour === time.hour) return instant;
    }
  }
  return undefined;
}

function timesOfDay(fields: ParsedFields): { hour: number; minute: number; second: number }[] {
  const times: { hour: number; minute: number; second: number }[] = [];
  const seconds = fields.second.length > 0 ? fields.second : [0];
  for (const hour of [...fields.hour].sort((a, b) => a - b)) {
    for (const minute of [...fields.minute].sort((a, b) => a - b)) {
      for (const second of [...seconds].sort((a, b) => a - b)) times.push({ hour, minute, second });
    }
  }
  return times;
}

/** node-cron's semantics: month, day of month and day of week must all match. */
function matchesDate(fields: ParsedFields, date: WallTime): boolean {
  return (
    fields.month.includes(date.month) &&
    fields.dayOfMonth.some((dom) => matchesDayOfMonth(dom, date)) &&
    fields.dayOfWeek.some((dow) => matchesDayOfWeek(dow, date))
  );
}

function matchesDayOfMonth(value: number | string, date: WallTime): boolean {
  if (typeof value === "number") return value === date.day;
  return value === "L" && date.day === daysInMonth(date.year, date.month);
}

/** Numbers, `nL` (last weekday n of the month) and `n#k` (k-th weekday n of the month). */
function matchesDayOfWeek(value: number | string, date: WallTime): boolean {
  if (typeof value === "number") return value % 7 === date.weekday;
  const last = /^(\d)L$/.exec(value);
  if (last !== null) return Number(last[1]) % 7 === date.weekday && date.day + 7 > daysInMonth(date.year, date.month);
  const nth = /^(\d)#(\d)$/.exec(value);
  if (nth !== null) return Number(nth[1]) % 7 === date.weekday && Math.ceil(date.day / 7) === Number(nth[2]);
  return false;
}
