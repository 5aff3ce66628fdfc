// A memory cgroup for one child process, so a benchmark can run the manager under its Deployment's
// memory limit: past the limit the kernel kills it, and Node sizes its heap from the limit as it
// does in a container (Node 24.21 in a 512 MiB cgroup: a 259 MiB heap limit, measured here).
// Needs root and a writable cgroup tree (v1 memory controller or v2); `openMemoryCgroup` returns
// undefined where there is none, and the caller says so.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface MemoryCgroup {
  readonly limitBytes: number;
  /** The command and arguments that start `command` inside the cgroup. */
  launch: (command: string, args: readonly string[]) => [string, string[]];
  /** The highest memory the cgroup was charged (the kernel's figure: heap, code and page cache). */
  peakBytes(): number;
  /** Whether the kernel killed a process of the cgroup for exceeding the limit. */
  oomKilled(): boolean;
  /** Removes the cgroup (its processes must have exited). */
  remove(): void;
}

interface Layout {
  dir: string;
  limitFile: string;
  peakFile: string;
  eventsFile: string;
}

function ownCgroupPath(controller: "memory" | ""): string | undefined {
  for (const line of readFileSync("/proc/self/cgroup", "utf8").split("\n")) {
    const [, controllers, path] = line.split(":");
    if (path === undefined || controllers === undefined) continue;
    if (controller === "" ? controllers === "" : controllers.split(",").includes(controller)) return path;
  }
  return undefined;
}

function layout(name: string): Layout | undefined {
  if (existsSync("/sys/fs/cgroup/cgroup.controllers")) {
    const own = ownCgroupPath("");
    if (own === undefined) return undefined;
    // v2: a process may only sit in a leaf, so the new group goes beside ours, under our parent.
    const parent = own === "/" ? "/sys/fs/cgroup" : join("/sys/fs/cgroup", own, "..");
    const dir = join(parent, name);
    return { dir, limitFile: "memory.max", peakFile: "memory.peak", eventsFile: "memory.events" };
  }
  const own = ownCgroupPath("memory");
  if (own === undefined || !existsSync("/sys/fs/cgroup/memory")) return undefined;
  return { dir: join("/sys/fs/cgroup/memory", own, name), limitFile: "memory.limit_in_bytes", peakFile: "memory.max_usage_in_bytes", eventsFile: "memory.oom_control" };
}

export function openMemoryCgroup(name: string, limitBytes: number): MemoryCgroup | undefined {
  const where = layout(`${name}-${process.pid}`);
  if (where === undefined) return undefined;
  try {
    mkdirSync(where.dir);
    writeFileSync(join(where.dir, where.limitFile), String(limitBytes));
  } catch {
    return undefined;
  }
  const read = (file: string): string => readFileSync(join(where.dir, file), "utf8");
  return {
    limitBytes,
    launch: (command, args) => ["sh", ["-c", 'echo $$ > "$0/cgroup.procs" && exec "$@"', where.dir, command, ...args]],
    peakBytes: () => Number(read(where.peakFile).trim()),
    oomKilled: () => Number(/oom_kill (\d+)/.exec(read(where.eventsFile))?.[1] ?? 0) > 0,
    remove: () => {
      rmdirSync(where.dir);
    },
  };
}
