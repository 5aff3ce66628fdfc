// The Node and V8 flags the worker runs with: the worker image's ENTRYPOINT, the build's
// compile-cache warm-up (V8 keys its code cache on these flags) and the benchmark all use this
// list. Measured effect on the remover (docs/worker.md): peak RSS from ~90 MiB to ~62 MiB.
export const workerNodeFlags = [
  // A 1 MiB young generation: the remover's garbage is small and short-lived.
  "--max-semi-space-size=1",
  // No V8 platform worker threads: each reserves a stack and heap for concurrent GC and compilation.
  "--v8-pool-size=0",
  // Interpreter only: no optimizing compilers, no feedback vectors until needed.
  "--lite-mode",
  // Lets the remover request a full collection between removals (src/worker/memory.ts).
  "--expose-gc",
] as const;
