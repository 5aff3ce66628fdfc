// The test ground's API for tests: start or attach to a cluster, add real or virtual nodes,
// build and import images, act as any user or ServiceAccount.
export { connectCluster, sharedCluster, startCluster, TestCluster, type NodeSpec, type RealNode } from "./cluster.ts";
export { ctr, importImages, startContainerd, tagImage, type ContainerdInstance } from "./containerd.ts";
export { completePod, startPod, type ContainerOutcome } from "./kubelet-sim.ts";
export { buildImageLayout, type BuiltImage, type ImageSpec } from "./oci/image.ts";
export { busyboxImage, cleanImage, jarImage, markerImage, vulnerableAlpineImage } from "./oci/specs.ts";
export { bin, repoRoot, sharedDir } from "./paths.ts";
export type { VirtualNodeSpec } from "./virtual-nodes.ts";
