// /healthz (the process lives), /readyz (caches synced and, when leading, controllers running),
// /metrics (Prometheus text).
import { createServer, type Server } from "node:http";
import type { Logger } from "./logger.ts";
import type { ManagerMetrics } from "./metrics.ts";

export interface HttpServer {
  port: number;
  close(): Promise<void>;
}

export async function startHttpServer(opts: { port: number; host?: string; metrics: ManagerMetrics; isReady: () => boolean; logger: Logger }): Promise<HttpServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/healthz") {
      res.writeHead(200).end("ok");
    } else if (path === "/readyz") {
      const ready = opts.isReady();
      res.writeHead(ready ? 200 : 503).end(ready ? "ok" : "not ready");
    } else if (path === "/metrics") {
      opts.metrics.registry
        .metrics()
        .then((body) => res.writeHead(200, { "content-type": opts.metrics.registry.contentType }).end(body))
        .catch(() => res.writeHead(500).end());
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host ?? "0.0.0.0", resolve);
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : opts.port;
  opts.logger.info({ port }, "Serving /healthz, /readyz and /metrics");
  return { port, close: () => new Promise((resolve) => server.close(() => { resolve(); })) };
}
