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

/** The first container whose sign of life is older than `staleMs`, and how old it is. */
export function silentNeighbour(dir: string, staleMs: number, nowMs = Date.now()): { name: string; silentMs: number } | undefined {
  let names: string[];
  try {
    names = readdirSync(dir).filter((f) => f.endsWith(suffix));
  } catch {
    return undefined;
  }
  for (const file of names) {
    let mtimeMs: number;
    try {
      mtimeMs = statSync(join(dir, file)).mtimeMs;
    } catch {
      continue; // removed as we looked: it ended normally
    }
    if (nowMs - mtimeMs > staleMs) return { name: file.slice(0, -suffix.length), silentMs: nowMs - mtimeMs };
  }
  return undefined;
}
