// Runs the manager as a real child process (so kill -9 and restarts are real), against the test
// ground, and prepares what an install would: CRDs, namespace, the worker ServiceAccount.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import type { CoreV1Api } from "@kubernetes/client-node";
import type { TestCluster } from "./cluster.ts";
import { repoRoot } from "./paths.ts";
import { freePort } from "./process.ts";

export const operatorNamespace = "eraser-system";

export interface ManagerProcess {
  child: ChildProcess;
  port: number;
  logs: string[];
  /** SIGTERM and wait (graceful), or SIGKILL with `kill: true`. */
  stop(options?: { kill?: boolean }): Promise<void>;
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code when the process ends by itself. */
  exit(): Promise<number | null>;
}

export async function prepareOperator(cluster: TestCluster, core: CoreV1Api): Promise<void> {
  const applied = await cluster.kubectl(["apply", "-f", join(repoRoot, "crds")]);
  if (applied.exitCode !== 0) throw new Error(`applying CRDs: ${applied.stderr}`);
  await cluster.kubectl(["wait", "--for=condition=Established", "--timeout=60s", "crd/imagelists.eraser.sh", "crd/imagejobs.eraser.sh"]);
  await core.createNamespace({ body: { metadata: { name: operatorNamespace } } }).catch(() => undefined);
  await core.createNamespacedServiceAccount({ namespace: operatorNamespace, body: { metadata: { name: "eraser-imagejob-pods" } } }).catch(() => undefined);
}

export interface ManagerLaunch {
  /** Wraps the command, e.g. to start it in a memory cgroup (memory-cgroup.ts). */
  launch?: (command: string, args: readonly string[]) => [string, string[]];
  /** The script Node runs: the sources by default, dist/eraser-manager (the image's) for benchmarks. */
  entry?: string;
  /** Extra environment for the manager, e.g. OTEL_METRIC_EXPORT_INTERVAL. */
  env?: Readonly<Record<string, string>>;
}

export async function startManagerProcess(cluster: TestCluster, extraArgs: string[] = [], options: ManagerLaunch = {}): Promise<ManagerProcess> {
  const port = await freePort();
  const args = [options.entry ?? join(repoRoot, "src", "manager", "main.ts"), `--kubeconfig=${cluster.kubeconfigPath}`, `--namespace=${operatorNamespace}`, `--http-port=${port}`, "--lease-duration=4s", ...extraArgs];
  const [command, commandArgs] = options.launch === undefined ? [process.execPath, args] : options.launch(process.execPath, args);
  const child = spawn(command, commandArgs, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...options.env } });
  const logs: string[] = [];
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  const onData = (chunk: Buffer): void => {
    for (const line of chunk.toString().split("\n")) {
      if (line === "") continue;
      logs.push(line);
      for (const w of [...waiters]) {
        if (w.pattern.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  const exited = new Promise<void>((resolve) => child.once("exit", () => { resolve(); }));
  const manager: ManagerProcess = {
    child,
    exit: () => exited.then(() => child.exitCode),
    port,
    logs,
    async stop(options = {}) {
      if (child.exitCode === null && child.signalCode === null) child.kill(options.kill === true ? "SIGKILL" : "SIGTERM");
      await exited;
    },
    waitForLog(pattern, timeoutMs = 30_000) {
      const found = logs.find((l) => pattern.test(l));
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => { reject(new Error(`manager never logged ${String(pattern)}; last lines:\n${logs.slice(-15).join("\n")}`)); }, timeoutMs);
        waiters.push({
          pattern,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
      });
    },
  };
  return manager;
}

/** Polls until `probe` returns a value that is not undefined. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
