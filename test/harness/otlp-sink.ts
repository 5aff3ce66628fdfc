// An OTLP/HTTP metrics receiver for tests: test/ground/go/otlp-sink, which decodes every export
// with the OpenTelemetry Collector's own pdata code. `exports()` returns what it decoded, in order.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { bin } from "./paths.ts";
import { freePort, startDaemon, waitFor } from "./process.ts";

const attribute = z.object({ key: z.string(), value: z.object({ stringValue: z.string().optional() }) });
const point = z.object({ attributes: z.array(attribute).optional(), asDouble: z.number().optional() });
const histogramPoint = z.object({ attributes: z.array(attribute).optional(), count: z.string(), sum: z.number().optional(), bucketCounts: z.array(z.string()), explicitBounds: z.array(z.number()) });
const metric = z.object({
  name: z.string(),
  sum: z.object({ aggregationTemporality: z.number(), isMonotonic: z.boolean().optional(), dataPoints: z.array(point) }).optional(),
  histogram: z.object({ aggregationTemporality: z.number(), dataPoints: z.array(histogramPoint) }).optional(),
});
const exportRequest = z.object({
  resourceMetrics: z.array(
    z.object({
      resource: z.object({ attributes: z.array(attribute).optional() }),
      scopeMetrics: z.array(z.object({ metrics: z.array(metric) })),
    }),
  ),
});
export type OtlpExport = z.infer<typeof exportRequest>;
export type OtlpMetric = z.infer<typeof metric>;

export interface OtlpSink {
  /** host:port, as Eraser's manager.otlpEndpoint takes it. */
  endpoint: string;
  exports(): OtlpExport[];
  stop(): Promise<void>;
}

export async function startOtlpSink(workDir: string): Promise<OtlpSink> {
  const port = await freePort();
  const out = join(workDir, "otlp-exports.jsonl");
  const daemon = startDaemon("otlp-sink", bin.otlpSink, ["-listen", `127.0.0.1:${port}`, "-out", out], { logFile: join(workDir, "otlp-sink.log") });
  await waitFor("the OTLP sink to listen", () => existsSync(daemon.logFile) && readFileSync(daemon.logFile, "utf8").includes(`127.0.0.1:${port}`), { timeoutMs: 10_000, daemon });
  return {
    endpoint: `127.0.0.1:${port}`,
    exports: () =>
      existsSync(out)
        ? readFileSync(out, "utf8")
            .split("\n")
            .filter((line) => line !== "")
            .map((line) => exportRequest.parse(JSON.parse(line)))
        : [],
    stop: () => daemon.stop(),
  };
}

/** The metrics of one export by name. */
export function metricsByName(sent: OtlpExport): Map<string, OtlpMetric> {
  return new Map(sent.resourceMetrics.flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics)).map((m) => [m.name, m]));
}
