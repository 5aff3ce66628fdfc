// OTLP export against a real HTTP receiver on loopback.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { ManagerMetrics } from "../../../src/observability/metrics.ts";
import { exportIntervalMs, otlpMetricsUrl, startOtlpExport } from "../../../src/observability/otlp.ts";
import { createLogger } from "../../../src/observability/logger.ts";

describe("OTLP export", () => {
  test("posts Eraser's metric names with their values to <endpoint>/v1/metrics", async () => {
    const bodies: { path: string; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        bodies.push({ path: req.url ?? "", body });
        res.writeHead(200).end("{}");
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const address = server.address();
    const port = typeof address === "object" && address !== null ? address.port : 0;
    const metrics = new ManagerMetrics();
    metrics.imagesRemoved(7);
    metrics.jobFinished("manual", "Completed", 42);
    const stop = startOtlpExport({ registry: metrics.registry, endpoint: () => `127.0.0.1:${port}`, intervalMs: 50, logger: createLogger({ level: "silent" }) });
    while (bodies.length === 0) await new Promise((r) => setTimeout(r, 20));
    await stop();
    server.close();
    assert.equal(bodies[0]?.path, "/v1/metrics");
    const sent = JSON.parse(bodies[0]?.body ?? "{}") as { resourceMetrics: { scopeMetrics: { metrics: { name: string; sum?: { dataPoints: { asDouble: number }[] }; histogram?: { dataPoints: { count: string; sum: number; bucketCounts: string[] }[] } }[] }[] }[] };
    const list = sent.resourceMetrics[0]?.scopeMetrics[0]?.metrics ?? [];
    const names = list.map((m) => m.name).sort();
    for (const name of ["images_removed_run_total", "imagejob_duration_run_seconds", "imagejob_run_total", "pods_completed_run_total", "pods_failed_run_total", "vulnerable_images_run_total", "unjudged_images_run_total"]) {
      assert.ok(names.includes(name), `${name} is exported`);
    }
    assert.equal(list.find((m) => m.name === "images_removed_run_total")?.sum?.dataPoints[0]?.asDouble, 7);
    const duration = list.find((m) => m.name === "imagejob_duration_run_seconds")?.histogram?.dataPoints[0];
    assert.deepEqual([duration?.count, duration?.sum], ["1", 42]);
    assert.equal(duration?.bucketCounts.reduce((a, b) => a + Number(b), 0), 1, "per-bucket counts add up to the count");
  });

  test("the interval comes from OTEL_METRIC_EXPORT_INTERVAL, and a bad one is named", () => {
    assert.equal(exportIntervalMs({}), 15_000);
    assert.equal(exportIntervalMs({ OTEL_METRIC_EXPORT_INTERVAL: "60000" }), 60_000);
    for (const bad of ["0", "-5", "1.5", "soon"]) {
      assert.throws(() => exportIntervalMs({ OTEL_METRIC_EXPORT_INTERVAL: bad }), new RegExp(`OTEL_METRIC_EXPORT_INTERVAL must be a positive whole number of milliseconds, got "${bad}"`));
    }
  });

  test("endpoints as Eraser writes them (host:port) and as URLs", () => {
    assert.equal(otlpMetricsUrl("otel-collector:4318"), "http://otel-collector:4318/v1/metrics");
    assert.equal(otlpMetricsUrl("https://otel.example/"), "https://otel.example/v1/metrics");
  });
});
