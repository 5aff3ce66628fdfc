// Daemons the test ground starts: each logs to a file, is tracked by pid, and is stopped by pid
// (SIGTERM, then SIGKILL after a bound), so nothing outlives a test run.
import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";

export interface Daemon {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  exited(): boolean;
  stop(): Promise<void>;
}

export function startDaemon(name: string, command: string, args: string[], options: { logFile: string; env?: NodeJS.ProcessEnv }): Daemon {
  const out = openSync(options.logFile, "a");
  const child = spawn(command, args, { stdio: ["ignore", out, out], env: options.env ?? process.env, detached: true });
  closeSync(out);
  let exitedFlag = false;
  child.on("exit", () => {
    exitedFlag = true;
  });
  child.unref();
  if (child.pid === undefined) throw new Error(`could not start ${name} (${command})`);
  const pid = child.pid;
  return {
    name,
    pid,
    logFile: options.logFile,
    exited: () => exitedFlag,
    stop: () => stopPid(pid),
  };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM, wait up to `graceMs`, then SIGKILL; resolves once the process is gone. */
export async function stopPid(pid: number, graceMs = 10_000): Promise<void> {
  if (!isAlive(pid)) return;
  try {
    process.kill(pid, "SIGTERM");
    // A frozen process (cluster.freezeKubelet) acts on SIGTERM only once it runs again.
    process.kill(pid, "SIGCONT");
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(50);
  if (isAlive(pid)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      return;
    }
    while (isAlive(pid)) await sleep(20);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `probe` until it returns true; the error names what was awaited and ends with the log. */
export async function waitFor(what: string, probe: () => Promise<boolean> | boolean, options: { timeoutMs: number; daemon?: Daemon }): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    let ok: boolean;
    try {
      ok = await probe();
    } catch {
      ok = false;
    }
    if (ok) return;
    if (options.daemon?.exited() === true || Date.now() > deadline) {
      const why = options.daemon?.exited() === true ? `${options.daemon.name} exited` : `timed out after ${options.timeoutMs} ms`;
      throw new Error(`waiting for ${what}: ${why}${options.daemon ? `\n--- last lines of ${options.daemon.logFile}:\n${tail(options.daemon.logFile)}` : ""}`);
    }
    await sleep(100);
  }
}

export function tail(file: string, lines = 25): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/** A TCP port nothing listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}
