// "Re-check in use immediately before each removal" without one ListContainers per image.
// A check must see a container listing that was *sent after* the check was asked, so a container
// created before the check is always seen. At most one listing is on the wire at a time: a check
// that arrives while one is in flight cannot trust it (it may have been sent before the container
// appeared), so it joins the next listing, which is sent the moment the current one returns. All
// checks that arrive during one listing share the next, which keeps the runtime's load to about
// one ListContainers per round trip however many removals are in flight.
import type { ContainerImages, CriClient } from "../cri/types.ts";
import { indexUsage, type UsageIndex } from "./in-use.ts";
import { MountImages } from "./mount-images.ts";

export class FreshUsage {
  readonly #cri: CriClient;
  readonly #mounts: MountImages;
  #inFlight: Promise<UsageIndex> | undefined;
  #next: Promise<UsageIndex> | undefined;
  /** The last listing's containers by ID: the next listing reads only containers not in it. */
  #seen: ReadonlyMap<string, ContainerImages> = new Map();
  readonly #normalized = new Map<string, string>();
  /** How many listings were sent (the benchmark and the tests read it). */
  listings = 0;

  /** `mounts`: what the inventory already asked of each container's image volumes. */
  constructor(cri: CriClient, mounts = new MountImages(cri)) {
    this.#cri = cri;
    this.#mounts = mounts;
  }

  /** A usage index from a listing that was sent after this call. */
  check(): Promise<UsageIndex> {
    const inFlight = this.#inFlight;
    if (inFlight === undefined) return this.#send();
    const settled = inFlight.then(
      () => undefined,
      () => undefined,
    );
    this.#next ??= settled.then(() => {
      this.#next = undefined;
      return this.#send();
    });
    return this.#next;
  }

  #send(): Promise<UsageIndex> {
    this.listings++;
    const listing = this.#cri.listContainerImages(this.#seen).then(async (containers) => {
      this.#seen = new Map(containers.map((c) => [c.id, c]));
      return indexUsage(containers, await this.#mounts.of(containers), this.#normalized);
    });
    this.#inFlight = listing;
    const done = (): void => {
      if (this.#inFlight === listing) this.#inFlight = undefined;
    };
    listing.then(done, done);
    return listing;
  }
}
