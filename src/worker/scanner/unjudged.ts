// Scans that end without a verdict for reasons that say nothing about the image. deleteFailedImages
// is for an image trivy cannot scan; these images are kept, never flagged, and counted unjudged:
// - trivy had no Java DB for the image's Java archives (java-db.ts);
// - trivy was killed by a signal the scanner did not send. trivy's memory grows with what it
//   unpacks, so a large image can take it past the trivy-scanner's limit, and the kernel's OOM
//   killer then kills trivy, the largest process in the container, not the scanner;
// - trivy could not reach the container runtime (containerd restarting mid-run, a socket it does
//   not see);
// - trivy ran out of disk space: it exports each image into a temporary file, and a node short of
//   disk, where an image cleaner is most wanted, may not hold a large one.
// When trivy judged nothing on the node, all but the Java DB still fail the scanner (scan.ts,
// settleFailedScans): they say the scanner cannot work there at all.
import { javaDbFailure } from "./java-db.ts";

/** How a trivy run ended, as execa reports it. */
export interface TrivyEnd {
  signal?: string | undefined;
  /** The scanner's own kill at `timeout.perImage` (plus a grace): a scan that took too long is a failed scan, as in Eraser. */
  timedOut: boolean;
  stderr: string;
}

export interface Unjudged {
  cause: "java-db" | "killed" | "runtime" | "disk";
  /** `java-db-unavailable: ...`, `trivy-killed: ...`, `runtime-unreachable: ...` or `scanner-disk-full: ...`, as the kept decision's log line gives it. */
  reason: string;
}

export const keptUnjudged: Record<Unjudged["cause"], string> = {
  "java-db": "Kept image: it holds Java archives, and trivy has no Java DB to judge them",
  killed: "Kept image: trivy was killed before it judged it",
  runtime: "Kept image: trivy could not reach the container runtime to read it",
  disk: "Kept image: trivy ran out of disk space before it judged it",
};

/** Go's words for ENOSPC: trivy exports each image from containerd into a temporary file first. */
const diskFull = /[^\n]{0,200}no space left on device/;

/** How trivy 0.74's containerd image source says it could not reach containerd (pkg/fanal/image/daemon/containerd.go). */
const runtimeUnreachable = /(containerd socket not found|failed to initialize a containerd client|failed to list images from containerd client)[^\n]*/;

function killedReason(signal: string): string {
  const hint = signal === "SIGKILL" ? " (most likely out of memory: raise the trivy-scanner's limit, components.scanner.limit.memory)" : "";
  return `trivy was killed by ${signal} before it judged the image${hint}`;
}

/** Why a scan that did not succeed left its image unjudged, or undefined when it is a failed scan. */
export function unjudgedScan(end: TrivyEnd): Unjudged | undefined {
  if (end.signal !== undefined && !end.timedOut) return { cause: "killed", reason: `trivy-killed: ${killedReason(end.signal)}` };
  const disk = diskFull.exec(end.stderr)?.[0];
  if (disk !== undefined) return { cause: "disk", reason: `scanner-disk-full: trivy ran out of disk space for the image: ${disk.trim()}` };
  const runtime = runtimeUnreachable.exec(end.stderr)?.[0];
  if (runtime !== undefined) return { cause: "runtime", reason: `runtime-unreachable: trivy could not reach the container runtime: ${runtime.trim().slice(0, 300)}` };
  const noJavaDb = javaDbFailure(end.stderr);
  if (noJavaDb !== undefined) return { cause: "java-db", reason: `java-db-unavailable: ${noJavaDb}` };
  return undefined;
}
