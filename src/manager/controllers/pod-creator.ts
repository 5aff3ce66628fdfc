// Creates a job's missing worker pods with bounded concurrency under the client-side rate
// limit, for at most `budgetMs` per reconcile (the rest comes on the next pass, so no reconcile
// blocks for minutes). Remembers what it created until the pod cache shows it ("expectations"),
// so a lagging cache never makes a second pod for a node. Building a pod reads the API server too
// (the node's pods' images): that read shares the creation's token, so the rate limit still bounds
// the worker pods made per second, and a failed read fails the creation like a refused one.
import type { V1Pod } from "@kubernetes/client-node";
import type { Apis } from "../../k8s/client.ts";
import { describeError } from "../../k8s/errors.ts";
import { isRefusal } from "./refused-pods.ts";
import type { Logger } from "../../observability/logger.ts";
import type { Clock } from "../clock.ts";
import type { TokenBucket } from "../token-bucket.ts";
import { runLimited } from "./limited-run.ts";

const expectationTtlMs = 60_000;

export interface CreateFailure {
  node: string;
  reason: string;
  /** The API server refused the pod itself (refused-pods.ts): retrying will not help. */
  refused: boolean;
}

export interface PodCreatorDeps {
  apis: Apis;
  namespace: string;
  limiter: TokenBucket;
  clock: Clock;
  logger: Logger;
  concurrency: number;
  budgetMs: number;
  /** Asked right before each creation: false once this manager may have lost the lead. */
  mayAct: () => boolean;
}

export class PodCreator {
  readonly #expected = new Map<string, Map<string, number>>();
  readonly #deps: PodCreatorDeps;

  constructor(deps: PodCreatorDeps) {
    this.#deps = deps;
  }

  /** Nodes with a pod created but not yet seen in the cache. */
  pending(job: string, seen: ReadonlySet<string>): Set<string> {
    const expected = this.#expected.get(job);
    if (expected === undefined) return new Set();
    const now = this.#deps.clock.now();
    for (const [node, at] of expected) if (seen.has(node) || now - at > expectationTtlMs) expected.delete(node);
    if (expected.size === 0) this.#expected.delete(job);
    return new Set(expected.keys());
  }

  forget(job: string): void {
    this.#expected.delete(job);
  }

  /** Creates pods for `nodes`; returns how many it created and the failures. */
  async create(job: string, nodes: readonly string[], build: (node: string) => Promise<V1Pod>): Promise<{ created: number; failed: CreateFailure[] }> {
    const { apis, namespace, clock } = this.#deps;
    const result = { created: 0, failed: [] as CreateFailure[] };
    const expected = this.#expected.get(job) ?? new Map<string, number>();
    this.#expected.set(job, expected);
    await runLimited(nodes, this.#deps, async (node) => {
      // Left for the next pass, by whoever leads then: a pod made now could be a second one.
      if (!this.#deps.mayAct()) return;
      expected.set(node, clock.now());
      try {
        await apis.core.createNamespacedPod({ namespace, body: await build(node) });
        result.created++;
      } catch (error) {
        expected.delete(node);
        result.failed.push({ node, reason: describeError(error), refused: isRefusal(error) });
      }
    });
    return result;
  }
}
