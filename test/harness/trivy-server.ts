// A real `trivy server` for tests: it holds the offline fixture DB, and scanners run trivy in
// client mode against it (scanner config `server`).
import { createServer } from "node:net";
import { join } from "node:path";
import { startDaemon, stopPid, waitFor } from "./process.ts";
import { prepareTrivyDb, trivyBinary } from "./trivy.ts";

export interface TrivyServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** A port nothing listens on right now (the kernel's pick, released at once). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      probe.close(() => {
        resolve(port);
      });
    });
  });
}

/** Sets a flag's value in an argument list (`--flag value`), adding the flag when it is missing. */
function withFlag(args: readonly string[], flag: string, value: string): string[] {
  const at = args.indexOf(flag);
  return at === -1 ? [...args, flag, value] : [...args.slice(0, at + 1), value, ...args.slice(at + 2)];
}

/**
 * Starts a trivy server with the fixture DB in `dir`; resolves once it is healthy.
 * `args`: the server's command line (a manifest's), whose listen address and cache directory are
 * replaced; it never fetches the DB (no registry here). `env`: on top of this process's (TRIVY_TOKEN);
 * `host`: the address to listen on (default 127.0.0.1; pods need 0.0.0.0). `url` is on 127.0.0.1.
 */
export async function startTrivyServer(dir: string, args: readonly string[] = ["server"], options: { env?: Record<string, string>; host?: string } = {}): Promise<TrivyServer> {
  const cache = join(dir, "server-cache");
  prepareTrivyDb(cache);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const serverArgs = [...withFlag(withFlag(args, "--listen", `${options.host ?? "127.0.0.1"}:${port}`), "--cache-dir", cache), "--skip-db-update"];
  const daemon = startDaemon("trivy-server", trivyBinary, serverArgs, { logFile: join(dir, "trivy-server.log"), env: { ...process.env, ...options.env } });
  await waitFor("trivy server", async () => (await fetch(`${url}/healthz`)).status === 200, { timeoutMs: 30_000, daemon });
  return { url, pid: daemon.pid, stop: () => stopPid(daemon.pid) };
}
