// "Re-check in use immediately before each removal" without one ListContainers per image: a
// removal waits for a container listing that *started after* the removal asked, and concurrent
// removals share that listing. A container created before the listing started is always seen.
import type { CriClient } from "../cri/types.ts";
import { indexUsage, type UsageIndex } from "./in-use.ts";

export class FreshUsage {
  readonly #cri: CriClient;
  #current: { startedAt: number; result: Promise<UsageIndex> } | undefined;
  #sequence = 0;

  constructor(cri: CriClient) {
    this.#cri = cri;
  }

  /** A usage index from a listing that began after this call. */
  async check(): Promise<UsageIndex> {
    const askedAt = ++this.#sequence;
    const current = this.#current;
    if (current !== undefined && current.startedAt >= askedAt) return current.result;
    const startedAt = ++this.#sequence;
    const result = this.#cri.listContainers().then(indexUsage);
    this.#current = { startedAt, result };
    return result;
  }
}
