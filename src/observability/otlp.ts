// OTLP export of the manager's metrics when manager.otlpEndpoint is set: OTLP/HTTP with JSON
// bodies (POST <endpoint>/v1/metrics), built from the same prom-client registry /metrics serves.
// Eraser takes the endpoint as host:port; a URL with a scheme works too.
import type { Registry } from "prom-client";
import type { Logger } from "./logger.ts";

type MetricJson = Awaited<ReturnType<Registry["getMetricsAsJSON"]>>[number];
interface Attribute {
  key: string;
  value: { stringValue: string };
}
type Labels = Partial<Record<string, string | number>>;

const attributes = (labels: Labels): Attribute[] =>
  Object.entries(labels)
    .filter(([key, value]) => key !== "le" && value !== undefined)
    .map(([key, value]) => ({ key, value: { stringValue: String(value) } }));

function sumMetric(m: MetricJson, timeUnixNano: string, startTimeUnixNano: string): object {
  const dataPoints = m.values.map((v) => ({ asDouble: v.value, attributes: attributes(v.labels), timeUnixNano, startTimeUnixNano }));
  return { name: m.name, description: m.help, sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints } };
}

function histogramMetric(m: MetricJson, timeUnixNano: string, startTimeUnixNano: string): object {
  const series = new Map<string, { labels: Labels; buckets: [number, number][]; sum: number; count: number }>();
  for (const v of m.values) {
    const labels: Labels = Object.fromEntries(Object.entries(v.labels).filter(([k]) => k !== "le"));
    const key = JSON.stringify(labels);
    const s = series.get(key) ?? { labels, buckets: [], sum: 0, count: 0 };
    series.set(key, s);
    const name = "metricName" in v ? String(v.metricName) : "";
    if (name.endsWith("_bucket") && v.labels["le"] !== "+Inf") s.buckets.push([Number(v.labels["le"]), v.value]);
    if (name.endsWith("_sum")) s.sum = v.value;
    if (name.endsWith("_count")) s.count = v.value;
  }
  const dataPoints = [...series.values()].map((s) => {
    const bounds = s.buckets.map(([le]) => le);
    // prom-client buckets are cumulative; OTLP wants one count per bucket, plus the overflow.
    const cumulative = [...s.buckets.map(([, n]) => n), s.count];
    const bucketCounts = cumulative.map((n, i) => String(n - (i === 0 ? 0 : (cumulative[i - 1] ?? 0))));
    return { attributes: attributes(s.labels), count: String(s.count), sum: s.sum, explicitBounds: bounds, bucketCounts, timeUnixNano, startTimeUnixNano };
  });
  return { name: m.name, description: m.help, histogram: { aggregationTemporality: 2, dataPoints } };
}

export async function otlpBody(registry: Registry, startMs: number, nowMs: number): Promise<object> {
  const time = `${BigInt(nowMs) * 1_000_000n}`;
  const start = `${BigInt(startMs) * 1_000_000n}`;
  const metrics = (await registry.getMetricsAsJSON()).flatMap((m) => {
    if (String(m.type) === "counter") return [sumMetric(m, time, start)];
    if (String(m.type) === "histogram") return [histogramMetric(m, time, start)];
    return [];
  });
  return {
    resourceMetrics: [
      {
        resource: { attributes: [{ key: "service.name", value: { stringValue: "eraser-manager" } }] },
        scopeMetrics: [{ scope: { name: "eraser-ts" }, metrics }],
      },
    ],
  };
}

export function otlpMetricsUrl(endpoint: string): string {
  const base = /^https?:\/\//.test(endpoint) ? endpoint : `http://${endpoint}`;
  return `${base.replace(/\/+$/, "")}/v1/metrics`;
}

/** How long the last push at shutdown may take, so a dead receiver cannot hold up a rollout. */
const finalPushTimeoutMs = 5_000;
const defaultIntervalMs = 15_000;

/**
 * The push interval: OTEL_METRIC_EXPORT_INTERVAL (milliseconds, the OpenTelemetry SDKs' variable)
 * when set, else 15 s. A value that is not a positive whole number is an error that names it.
 */
export function exportIntervalMs(env: Readonly<Record<string, string | undefined>>): number {
  const raw = env["OTEL_METRIC_EXPORT_INTERVAL"];
  if (raw === undefined || raw === "") return defaultIntervalMs;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms <= 0) throw new Error(`OTEL_METRIC_EXPORT_INTERVAL must be a positive whole number of milliseconds, got "${raw}"`);
  return ms;
}

/**
 * Pushes the registry every `intervalMs` while `endpoint()` is non-empty. The returned stopper
 * pushes once more, so what the last interval counted (often a job that just finished) is not lost
 * when the manager is stopped or rolled.
 */
export function startOtlpExport(o: { registry: Registry; endpoint: () => string; intervalMs?: number; logger: Logger }): () => Promise<void> {
  const startMs = Date.now();
  const push = async (timeoutMs: number): Promise<void> => {
    const endpoint = o.endpoint();
    if (endpoint === "") return;
    try {
      const response = await fetch(otlpMetricsUrl(endpoint), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(await otlpBody(o.registry, startMs, Date.now())),
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!response.ok) o.logger.warn({ endpoint, status: response.status, reason: await response.text() }, "OTLP export refused");
    } catch (error) {
      o.logger.warn({ endpoint, err: (error as Error).message }, "OTLP export failed");
    }
  };
  const timer = setInterval(() => void push(10_000), o.intervalMs ?? defaultIntervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await push(finalPushTimeoutMs);
  };
}
