// The images a node's pods name, listed again when the node's scan has ended (ADR 0023). The list
// the manager gives a worker pod when it makes it (`--pod-image`, ADR 0019) is hours old by the
// time an automatic-mode remover runs: a pod bound to the node during the scan that waits (an init
// container, a missing ConfigMap) has no container for its image yet, so only its spec says the
// image is needed. When every container before the remover has ended well, the manager lists the
// node's pods again and sets the list as an annotation on the worker pod; the kubelet writes it
// into the remover's downwardAPI file, and the remover waits for it (src/worker/pod-images-file.ts).
import { PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { containerNames, podImagesAnnotation } from "../../api/worker-contract.ts";
import type { Apis } from "../../k8s/client.ts";
import { withDeadline } from "../../k8s/custom.ts";
import { describeError, isNotFound } from "../../k8s/errors.ts";
import type { ImageJob } from "../../api/imagejob.ts";
import type { EventRecorder } from "../../observability/events.ts";
import type { Logger } from "../../observability/logger.ts";
import { jobRef, named } from "../job-events.ts";
import type { CachedPod } from "../cached-objects.ts";
import { listNodePodImages } from "../pods/node-pod-images.ts";
import { runLimited, type LimitedRun } from "./limited-run.ts";
import { isRefusal } from "./refused-pods.ts";

/**
 * Whether `pod`'s remover now waits for the images after the scan: the pod runs, is not being
 * deleted, has no such list yet, and every container before its remover ended with exit 0 (after a
 * failure the remover removes nothing and reads no list).
 */
export function scanEnded(pod: CachedPod): boolean {
  if (pod.metadata.deletionTimestamp !== undefined || pod.status?.phase !== "Running") return false;
  if (pod.metadata.annotations?.[podImagesAnnotation] !== undefined) return false;
  const statuses = pod.status.containerStatuses ?? [];
  const before = statuses.filter((s) => s.name !== containerNames.remover);
  const remover = statuses.find((s) => s.name === containerNames.remover);
  if (remover === undefined || remover.state?.terminated !== undefined || before.length === 0) return false;
  return before.every((s) => s.state?.terminated?.exitCode === 0);
}

interface Refused {
  node: string;
  reason: string;
}

export interface PodImagesAfterScanDeps extends LimitedRun {
  apis: Apis;
  events: EventRecorder;
  namespace: string;
  logger: Logger;
}

export class PodImagesAfterScan {
  readonly #d: PodImagesAfterScanDeps;
  /** Pods set (or given up on) per job, until the pod cache shows the annotation. */
  readonly #done = new Map<string, Set<string>>();

  constructor(deps: PodImagesAfterScanDeps) {
    this.#d = deps;
  }

  /**
   * Sets the list on every pod of `job` whose scan has ended; returns how many still wait for it.
   * Nodes whose list the API server refused (their removers will remove nothing) get an Event.
   */
  async refresh(job: ImageJob, pods: readonly CachedPod[]): Promise<number> {
    const name = job.metadata.name;
    const done = this.#done.get(name) ?? new Set<string>();
    this.#done.set(name, done);
    const due = pods.filter((p) => scanEnded(p) && !done.has(p.metadata.name));
    if (due.length === 0) return 0;
    let retry = 0;
    const refused: Refused[] = [];
    const left = await runLimited(due, this.#d, async (pod) => {
      const outcome = await this.#set(name, pod);
      if (outcome === "retry") retry++;
      else done.add(pod.metadata.name);
      if (typeof outcome === "object") refused.push(outcome);
    });
    if (refused.length > 0) this.#tellRefused(job, refused);
    return left.length + retry;
  }

  #tellRefused(job: ImageJob, refused: readonly Refused[]): void {
    const why = `the API server refused the list of the images their pods name after the scan (ADR 0023): ${refused[0]?.reason ?? ""}`;
    this.#d.events.record(jobRef(job), "Warning", "PodImagesRefused", `${refused.length} node(s) will remove nothing: ${why}; nodes: ${named(refused.map((r) => r.node))}`);
  }

  forget(job: string): void {
    this.#done.delete(job);
  }

  /** Lists the node's pods and sets the annotation; "retry" when it is worth trying again. */
  async #set(job: string, pod: CachedPod): Promise<"set" | "retry" | Refused> {
    const name = pod.metadata.name;
    const node = pod.spec?.nodeName ?? "";
    try {
      const images = await listNodePodImages(this.#d.apis, node);
      const body = { metadata: { annotations: { [podImagesAnnotation]: JSON.stringify(images) } } };
      await withDeadline(`patch pod ${name}`, this.#d.apis.core.patchNamespacedPod({ name, namespace: this.#d.namespace, body }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch)));
      this.#d.logger.debug({ job, pod: name, node, images: images.length }, "Gave the remover the images the node's pods name after the scan");
      return "set";
    } catch (error) {
      if (isNotFound(error)) return "set";
      // Refused (too large, forbidden): its remover times out and removes nothing, as it must.
      const refused = isRefusal(error);
      const reason = describeError(error);
      this.#d.logger.warn({ job, pod: name, node, err: reason, retrying: !refused }, "Could not give the remover the images the node's pods name after the scan");
      return refused ? { node, reason } : "retry";
    }
  }
}
