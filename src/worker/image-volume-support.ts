// Whether the runtime can mount an image as a volume at all (ADR 0021). containerd added image
// volumes to its CRI in 2.1; on an earlier containerd the kubelet cannot start a pod that mounts
// one, so no container there mounts an image, and asking each container's status for its mounts
// is one wasted call per container at every worker start (docs/worker.md, "Containers on the
// node"). Every other runtime, and a version this cannot read, is asked: when in doubt, ask.
import type { RuntimeVersion } from "../cri/types.ts";

/** containerd's first release with image volumes in its CRI. */
const containerdImageVolumes = { major: 2, minor: 1 };

/** False only for a containerd whose version reads as earlier than 2.1 ("v1.7.35", "1.6.20~ds1"). */
export function runtimeMountsImages(runtime: RuntimeVersion): boolean {
  if (runtime.runtimeName !== "containerd") return true;
  const match = /^v?(\d+)\.(\d+)\./.exec(runtime.runtimeVersion);
  if (match === null) return true;
  const major = Number(match[1]);
  const minor = Number(match[2]);
  return major > containerdImageVolumes.major || (major === containerdImageVolumes.major && minor >= containerdImageVolumes.minor);
}
