// Unmounts everything mounted below a directory (kubelet pod volumes, containerd snapshots,
// network namespaces), deepest first, so the directory can be removed.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

export function mountsBelow(dir: string): string[] {
  const prefix = dir.endsWith("/") ? dir : `${dir}/`;
  return readFileSync("/proc/self/mounts", "utf8")
    .split("\n")
    .map((line) => (line.split(" ")[1] ?? "").replace(/\\040/g, " "))
    .filter((mountPoint) => mountPoint === dir || mountPoint.startsWith(prefix))
    .sort((a, b) => b.length - a.length);
}

export function unmountBelow(dir: string): void {
  for (const mountPoint of mountsBelow(dir)) {
    try {
      execFileSync("umount", ["-l", mountPoint], { stdio: "ignore" });
    } catch {
      // Already gone (a lazy unmount of a parent takes its children with it).
    }
  }
}
