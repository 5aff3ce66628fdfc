// What the benchmarks read of a running process from /proc.
import { readFileSync } from "node:fs";

/** CPU time a process has used so far, in ms (utime + stime, at Linux's 100 ticks per second). */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** A process's peak resident set so far (VmHWM), in KiB; 0 once it has exited. */
export function peakRssKiB(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** Samples a child's peak RSS every 5 ms until stop(), which returns the highest, in MiB. */
export function samplePeakRss(pid: number | undefined): { stop(): number } {
  let peak = 0;
  const sampler = setInterval(() => {
    if (pid !== undefined) peak = Math.max(peak, peakRssKiB(pid));
  }, 5);
  return {
    stop: () => {
      clearInterval(sampler);
      return peak / 1024;
    },
  };
}
