// A pipeline container's sign of life in the shared emptyDir: `<name>.alive`, touched every
// second while it runs and removed when it ends in any way it can see. A container killed outright
// (out of memory, evicted, SIGKILL) cannot remove it, so the file goes stale, and the neighbour
// waiting for its output stops and removes nothing instead of waiting out --wait-timeout.
import { mkdirSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const suffix = ".alive";
const intervalMs = 1000;

export function startHeartbeat(dir: string, name: string): { stop(): void } {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}${suffix}`);
  writeFileSync(file, "");
  const timer = setInterval(() => {
    const now = new Date();
    try {
      utimesSync(file, now, now);
    } catch {
      // The directory went away: nobody is waiting any more.
    }
  }, intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      rmSync(file, { force: true });
    },
  };
}

/** Each container's sign of life in `dir`, with its age; one removed as we looked ended normally. */
function signsOfLife(dir: string, nowMs: number): { name: string; ageMs: number }[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith(suffix));
  } catch {
    return [];
  }
  return files.flatMap((file) => {
    try {
      return [{ name: file.slice(0, -suffix.length), ageMs: nowMs - statSync(join(dir, file)).mtimeMs }];
    } catch {
      return [];
    }
  });
}

/** The first container whose sign of life is older than `staleMs`, and how old it is. */
export function silentNeighbour(dir: string, staleMs: number, nowMs = Date.now()): { name: string; silentMs: number } | undefined {
  const silent = signsOfLife(dir, nowMs).find((s) => s.ageMs > staleMs);
  return silent === undefined ? undefined : { name: silent.name, silentMs: silent.ageMs };
}

/** A container other than `self` that is alive (its sign of life is at most `staleMs` old). */
export function liveNeighbour(dir: string, staleMs: number, self: string | undefined, nowMs = Date.now()): string | undefined {
  return signsOfLife(dir, nowMs).find((s) => s.name !== self && s.ageMs <= staleMs)?.name;
}
