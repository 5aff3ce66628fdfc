// Plays the kubelet for pods on virtual nodes: sets a pod's phase and its containers' terminated
// states (exit code, termination message) through the pods/status subresource, as a kubelet would.
import type { CoreV1Api, V1ContainerStatus } from "@kubernetes/client-node";

export interface ContainerOutcome {
  exitCode: number;
  message?: string;
  reason?: string;
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
      imageID: "",
      ready: false,
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
    body: { ...pod, status: { ...pod.status, phase: failed ? "Failed" : "Succeeded", containerStatuses: statuses, startTime: now } },
  });
}
