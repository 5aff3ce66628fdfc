// The manager's profiler endpoint (manager.profile.enabled), where Eraser serves Go's pprof: on
// localhost only, at the same paths, with V8's formats, which Chrome DevTools and speedscope open.
//   /debug/pprof/profile?seconds=N  a CPU profile over N seconds (default 30, at most 300): .cpuprofile
//   /debug/pprof/heap               sampled allocations still live since the endpoint started: .heapprofile
// Heap sampling runs from the endpoint's start, so the heap profile covers everything since it was
// turned on (from the process's start when enabled in the config it starts with, as pprof's does);
// V8 samples about one allocation per 32 KiB, which costs little.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { Session } from "node:inspector/promises";
import type { Logger } from "./logger.ts";

const defaultSeconds = 30;
const maxSeconds = 300;

export interface Profiler {
  port: number;
  close(): Promise<void>;
}

/** Parses `seconds`: a whole number from 1 to 300, or the default when absent. */
export function profileSeconds(query: URLSearchParams): number | string {
  const raw = query.get("seconds");
  if (raw === null || raw === "") return defaultSeconds;
  const seconds = Number(raw);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > maxSeconds) return `seconds must be a whole number from 1 to ${maxSeconds}, got "${raw}"`;
  return seconds;
}

const index = `eraser-ts manager profiler (V8 formats; open in Chrome DevTools or speedscope)
/debug/pprof/profile?seconds=${defaultSeconds}  CPU profile (.cpuprofile), at most ${maxSeconds} s
/debug/pprof/heap                sampled live allocations since start-up (.heapprofile)
`;

export async function startProfiler(o: { port: number; logger: Logger }): Promise<Profiler> {
  const session = new Session();
  session.connect();
  await session.post("HeapProfiler.startSampling");
  let cpuBusy = false;

  const cpuProfile = async (res: ServerResponse, seconds: number): Promise<void> => {
    if (cpuBusy) {
      res.writeHead(409).end("a CPU profile is already being taken; try again when it is done\n");
      return;
    }
    cpuBusy = true;
    try {
      await session.post("Profiler.enable");
      await session.post("Profiler.start");
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
      const { profile } = await session.post("Profiler.stop");
      await session.post("Profiler.disable");
      o.logger.info({ seconds }, "Served a CPU profile");
      res.writeHead(200, { "content-type": "application/json", "content-disposition": 'attachment; filename="eraser-manager.cpuprofile"' }).end(JSON.stringify(profile));
    } finally {
      cpuBusy = false;
    }
  };

  const heapProfile = async (res: ServerResponse): Promise<void> => {
    const { profile } = await session.post("HeapProfiler.getSamplingProfile");
    res.writeHead(200, { "content-type": "application/json", "content-disposition": 'attachment; filename="eraser-manager.heapprofile"' }).end(JSON.stringify(profile));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname === "/debug/pprof/" || url.pathname === "/debug/pprof") {
      res.writeHead(200, { "content-type": "text/plain" }).end(index);
    } else if (url.pathname === "/debug/pprof/profile") {
      const seconds = profileSeconds(url.searchParams);
      if (typeof seconds === "string") res.writeHead(400).end(`${seconds}\n`);
      else await cpuProfile(res, seconds);
    } else if (url.pathname === "/debug/pprof/heap") {
      await heapProfile(res);
    } else {
      res.writeHead(404).end(index);
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      o.logger.warn({ err: (error as Error).message }, "Profiler request failed");
      if (!res.headersSent) res.writeHead(500).end(`${(error as Error).message}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    // Loopback only, as Eraser's pprof: reach it with `kubectl port-forward`.
    server.listen(o.port, "127.0.0.1", resolve);
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : o.port;
  o.logger.info({ port }, "Serving the profiler on localhost at /debug/pprof/");
  return {
    port,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => { resolve(); }));
      await session.post("HeapProfiler.stopSampling").catch(() => undefined);
      session.disconnect();
    },
  };
}
