// Eraser's own CRDs drop every status field eraser-ts adds, without a word (ADR 0026): jobs still
// run, but `failedNodes`, `removed` and the ImageList's `observedGeneration` are never kept, and
// nothing said why. The first status write whose answer lacks a field it wrote says so, once per
// kind, in the log and as a Warning Event on the object.
import * as z from "../api/zod.ts";
import type { EventRecorder, EventTarget } from "../observability/events.ts";
import type { Logger } from "../observability/logger.ts";

const WrittenSchema = z.looseObject({ status: z.optional(z.record(z.string(), z.unknown())) });

export class DroppedStatusFields {
  readonly #events: EventRecorder;
  readonly #logger: Logger;
  readonly #told = new Set<string>();

  constructor(events: EventRecorder, logger: Logger) {
    this.#events = events;
    this.#logger = logger;
  }

  /** `sent`: the status fields written; `answer`: the object the API server returned. */
  check(target: EventTarget, sent: object, answer: unknown): void {
    if (this.#told.has(target.kind)) return;
    const parsed = WrittenSchema.safeParse(answer);
    if (!parsed.success) return;
    const kept = parsed.data.status ?? {};
    const dropped = Object.keys(sent).filter((field) => !Object.hasOwn(kept, field));
    if (dropped.length === 0) return;
    this.#told.add(target.kind);
    const message = `the installed ${target.kind} CRD drops status fields eraser-ts writes (${dropped.join(", ")}): it looks like Eraser's own. Jobs run as usual, but what those fields report is not kept; kubectl apply -f crds/ from this release adds them`;
    this.#logger.warn({ kind: target.kind, dropped }, "The API server dropped status fields this manager writes");
    this.#events.record(target, "Warning", "StatusFieldsDropped", message);
  }
}
