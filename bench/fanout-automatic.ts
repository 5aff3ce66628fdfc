// BENCH_MODE=automatic for bench:fanout: the job the schedule starts at once, scanner off, whose
// simulated kubelets end each pod's collector as soon as the pod appears. So each node's list of
// its pods' images after the scan (ADR 0023) is due while the manager still makes other nodes'
// pods, and each pod completes once its list is set, as its remover would.
import type { CoreV1Api } from "@kubernetes/client-node";
import { podImagesAnnotation } from "../src/api/worker-contract.ts";
import { completePod, startPod } from "../test/harness/kubelet-sim.ts";
import { operatorNamespace } from "../test/harness/manager-run.ts";
import { nodeResult, workerPods } from "../test/harness/operator-fixtures.ts";

export const automaticConfig = `apiVersion: eraser.sh/v1alpha3
kind: EraserConfig
manager:
  scheduling: { repeatInterval: 720h, beginImmediately: true }
components:
  collector: { enabled: true }
  scanner: { enabled: false }
`;

export interface AutomaticTimes {
  firstPodAt: number;
  allCreatedAt: number;
  /** When the last pod's list after the scan was seen. */
  allListedAt: number;
}

async function inParallel(names: readonly string[], task: (name: string) => Promise<void>): Promise<void> {
  const queue = [...names];
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      for (let name = queue.shift(); name !== undefined; name = queue.shift()) await task(name);
    }),
  );
}

/** Plays the nodes' kubelets until every pod of `job` has completed; `poll` repeats a probe until it gives a value. */
export async function runAutomaticPods(core: CoreV1Api, job: string, nodes: number, poll: (probe: () => Promise<true | undefined>) => Promise<true>): Promise<AutomaticTimes> {
  const started = new Set<string>();
  const completed = new Set<string>();
  const times: AutomaticTimes = { firstPodAt: 0, allCreatedAt: 0, allListedAt: 0 };
  await poll(async () => {
    const pods = await workerPods(core, job);
    const now = Date.now();
    if (pods.length > 0 && times.firstPodAt === 0) times.firstPodAt = now;
    if (pods.length >= nodes && times.allCreatedAt === 0) times.allCreatedAt = now;
    const name = (p: (typeof pods)[number]): string => p.metadata?.name ?? "";
    const listed = pods.filter((p) => p.metadata?.annotations?.[podImagesAnnotation] !== undefined);
    if (listed.length >= nodes && times.allListedAt === 0) times.allListedAt = now;
    await inParallel(pods.map(name).filter((n) => !started.has(n)), async (n) => {
      await startPod(core, operatorNamespace, n, { collector: { exitCode: 0 } });
      started.add(n);
    });
    await inParallel(listed.map(name).filter((n) => !completed.has(n)), async (n) => {
      await completePod(core, operatorNamespace, n, { remover: { exitCode: 0, message: nodeResult(12, { kept: { "in-use": 31, sandbox: 1, excluded: 4 } }) } });
      completed.add(n);
    });
    return completed.size >= nodes ? true : undefined;
  });
  return times;
}
