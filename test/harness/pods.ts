// Pods on real nodes for tests: run an image (running or exited) so the node's CRI has a container
// that uses it, exactly as a kubelet makes one.
import type { CoreV1Api } from "@kubernetes/client-node";

export async function runPod(core: CoreV1Api, o: { namespace: string; name: string; node: string; image: string; command: string[] }): Promise<void> {
  await core.createNamespacedPod({
    namespace: o.namespace,
    body: {
      metadata: { name: o.name },
      spec: {
        nodeName: o.node,
        restartPolicy: "Never",
        automountServiceAccountToken: false,
        terminationGracePeriodSeconds: 0,
        containers: [{ name: "main", image: o.image, imagePullPolicy: "Never", command: o.command }],
      },
    },
  });
}

export async function waitForPod(core: CoreV1Api, namespace: string, name: string, want: (phase: string, running: boolean) => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pod = await core.readNamespacedPod({ name, namespace });
    const running = pod.status?.containerStatuses?.some((s) => s.state?.running !== undefined) ?? false;
    if (want(pod.status?.phase ?? "", running)) return;
    if (Date.now() > deadline) throw new Error(`pod ${namespace}/${name} did not reach the wanted state (phase ${pod.status?.phase ?? "?"})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
