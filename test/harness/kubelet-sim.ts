// Plays the kubelet for pods on virtual nodes: sets a pod's phase and its containers' states
// (running, or terminated with an exit code and termination message) through the pods/status
// subresource, as a kubelet would.
import { randomBytes } from "node:crypto";
import type { CoreV1Api, V1ContainerStatus, V1PodCondition } from "@kubernetes/client-node";

export interface ContainerOutcome {
  exitCode: number;
  message?: string;
  reason?: string;
}

/** The conditions a kubelet leaves on a pod whose containers have all exited. */
function finishedConditions(now: Date): V1PodCondition[] {
  return [
    { type: "PodReadyToStartContainers", status: "False", lastTransitionTime: now },
    { type: "Initialized", status: "True", lastTransitionTime: now },
    { type: "Ready", status: "False", reason: "PodCompleted", lastTransitionTime: now },
    { type: "ContainersReady", status: "False", reason: "PodCompleted", lastTransitionTime: now },
    { type: "PodScheduled", status: "True", lastTransitionTime: now },
  ];
}

export async function completePod(
  core: CoreV1Api,
  namespace: string,
  name: string,
  outcomes: Record<string, ContainerOutcome>,
): Promise<void> {
  const pod = await core.readNamespacedPod({ name, namespace });
  const now = new Date();
  const statuses: V1ContainerStatus[] = (pod.spec?.containers ?? []).map((container) => {
    const outcome = outcomes[container.name] ?? { exitCode: 0 };
    return {
      name: container.name,
      image: container.image ?? "",
      imageID: `${container.image ?? ""}@sha256:${"0".repeat(64)}`,
      containerID: `containerd://${randomBytes(32).toString("hex")}`,
      ready: false,
      started: false,
      restartCount: 0,
      state: {
        terminated: {
          exitCode: outcome.exitCode,
          reason: outcome.reason ?? (outcome.exitCode === 0 ? "Completed" : "Error"),
          ...(outcome.message === undefined ? {} : { message: outcome.message }),
          startedAt: now,
          finishedAt: now,
        },
      },
    };
  });
  const failed = statuses.some((s) => (s.state?.terminated?.exitCode ?? 0) !== 0);
  await core.replaceNamespacedPodStatus({
    name,
    namespace,
    body: { ...pod, status: { ...pod.status, phase: failed ? "Failed" : "Succeeded", conditions: finishedConditions(now), containerStatuses: statuses, startTime: now, hostIP: "10.224.0.4", podIP: "10.244.1.17", podIPs: [{ ip: "10.244.1.17" }] } },
  });
}

/**
 * A pod under way: phase Running, the containers in `ended` terminated as given, the others
 * running (as while a node's trivy-scanner works through its images).
 */
export async function startPod(core: CoreV1Api, namespace: string, name: string, ended: Record<string, ContainerOutcome> = {}): Promise<void> {
  const pod = await core.readNamespacedPod({ name, namespace });
  const now = new Date();
  const statuses: V1ContainerStatus[] = (pod.spec?.containers ?? []).map((container) => {
    const outcome = ended[container.name];
    return {
      name: container.name,
      image: container.image ?? "",
      imageID: `${container.image ?? ""}@sha256:${"0".repeat(64)}`,
      containerID: `containerd://${randomBytes(32).toString("hex")}`,
      ready: outcome === undefined,
      started: outcome === undefined,
      restartCount: 0,
      state:
        outcome === undefined
          ? { running: { startedAt: now } }
          : { terminated: { exitCode: outcome.exitCode, reason: outcome.reason ?? (outcome.exitCode === 0 ? "Completed" : "Error"), startedAt: now, finishedAt: now } },
    };
  });
  await core.replaceNamespacedPodStatus({
    name,
    namespace,
    body: { ...pod, status: { ...pod.status, phase: "Running", containerStatuses: statuses, startTime: now, hostIP: "10.224.0.4", podIP: "10.244.1.17", podIPs: [{ ip: "10.244.1.17" }] } },
  });
}
