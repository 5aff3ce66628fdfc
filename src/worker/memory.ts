// The remover's memory budget (docs/worker.md: peak RSS <= 64 MiB for 1,000 removals). Each CRI
// call leaves a few KiB of grpc-js and HTTP/2 stream state that lives long enough (the call's round
// trip) to be promoted out of the young generation, so the old generation grows by ~8 MiB before
// V8's first full collection. When the worker runs with --expose-gc (its image's entrypoint), the
// remover asks for an incremental full collection every `every` removals, which keeps the heap
// flat at its start-up size. Without the flag this does nothing.
type ExposedGc = (options: { type: "major"; execution: "async" }) => Promise<void>;

function exposedGc(): ExposedGc | undefined {
  const candidate: unknown = (globalThis as { gc?: unknown }).gc;
  return typeof candidate === "function" ? (candidate as ExposedGc) : undefined;
}

/** Returns a function to call after each unit of work; every `every` calls it requests a collection. */
export function periodicCollection(every: number): () => void {
  const gc = exposedGc();
  if (gc === undefined) return () => undefined;
  let calls = 0;
  return () => {
    calls++;
    if (calls % every === 0) void gc({ type: "major", execution: "async" });
  };
}
