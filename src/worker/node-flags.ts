// The Node and V8 flags the worker runs with: the worker image's ENTRYPOINT, the build's
// compile-cache warm-up (V8 keys its code cache on these flags) and the benchmark all use this
// list. Measured effect on the remover (docs/worker.md): peak RSS from ~90 MiB to ~62 MiB.
export const workerNodeFlags = [
  // A 1 MiB young generation: the remover's garbage is small and short-lived.
  "--max-semi-space-size=1",
  // One V8 platform worker thread on any node. Not 0: Node reads 0 as "size it from the CPUs"
  // (available parallelism minus one), so a 32-core node would start 31 threads, and every thread
  // that joins a collection raises the peak (docs/worker.md: +0.9 MiB with 16 threads here).
  "--v8-pool-size=1",
  // Interpreter only: no optimizing compilers, no feedback vectors until needed.
  "--lite-mode",
  // Lets the remover request a full collection between removals (src/worker/memory.ts).
  "--expose-gc",
] as const;
