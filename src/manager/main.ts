// eraser-manager: the controller-manager process. Flags (all optional):
//   --kubeconfig <file>        default: $KUBECONFIG, else in-cluster
//   --namespace <ns>           default: $POD_NAMESPACE, else eraser-system
//   --http-port <n>            /healthz, /readyz, /metrics (default 8081)
//   --leader-elect=<bool>      default true; --leader-election-id <lease> (default eraser-manager-leader)
//   --lease-duration <dur>     default 15s
//   --pod-timeout <dur>        a worker pod not finished by then counts as failed (default 10m); one
//                              whose trivy-scanner runs gets the scanner's timeout.total on top
//   --pod-creation-qps <n>     client-side rate limit for worker pods (default 20), --pod-creation-burst <n> (default 20);
//                              the lists after scans (ADR 0023) get a bucket of their own at the same rate
//   --pod-creation-concurrency <n> (default 32); --log-level <level> (default: manager.logLevel, else info)
import { parseArgs } from "node:util";
import { intFlag, nonEmptyString } from "../api/schema-parts.ts";
import * as z from "../api/zod.ts";
import { defaultNamespace } from "../api/group.ts";
import { parseGoDuration } from "../api/duration.ts";
import { loadKubeConfig } from "../k8s/client.ts";
import { describeError } from "../k8s/errors.ts";
import { createLogger } from "../observability/logger.ts";
import { startManager } from "./manager.ts";

const FlagsSchema = z.object({
  kubeconfig: z.optional(z.string()),
  namespace: z._default(nonEmptyString(), process.env["POD_NAMESPACE"] ?? defaultNamespace),
  "http-port": intFlag(8081, 0, 65535),
  "leader-elect": z._default(z.enum(["true", "false"]), "true"),
  "leader-election-id": z._default(nonEmptyString(), "eraser-manager-leader"),
  "lease-duration": z._default(z.string(), "15s"),
  "pod-timeout": z._default(z.string(), "10m"),
  "pod-creation-qps": z._default(z.pipe(z.coerce.number(), z.number().check(z.positive())), 20),
  "pod-creation-burst": intFlag(20, 1),
  "pod-creation-concurrency": intFlag(32, 1),
  "log-level": z._default(z.string(), "info"),
  identity: z.optional(z.string()),
});

const stringFlags = Object.fromEntries(Object.keys(FlagsSchema.shape).map((k) => [k, { type: "string" as const }]));

async function main(): Promise<void> {
  const { values } = parseArgs({ options: stringFlags, strict: true });
  const flags = FlagsSchema.parse(values);
  const logger = createLogger({ level: flags["log-level"], name: "manager" });
  let manager;
  try {
    manager = await startManager({
      kubeConfig: loadKubeConfig(flags.kubeconfig),
      namespace: flags.namespace,
      logger,
      httpPort: flags["http-port"],
      leaderElect: flags["leader-elect"] === "true",
      leaseName: flags["leader-election-id"],
      ...(flags.identity === undefined ? {} : { identity: flags.identity }),
      leaseDurationMs: parseGoDuration(flags["lease-duration"]),
      podTimeoutMs: parseGoDuration(flags["pod-timeout"]),
      podCreationQps: flags["pod-creation-qps"],
      podCreationBurst: flags["pod-creation-burst"],
      podCreationConcurrency: flags["pod-creation-concurrency"],
    });
  } catch (error) {
    logger.fatal({ err: describeError(error) }, "Cannot start the manager");
    // Open API connections would keep the process alive; a manager that cannot start must exit.
    process.exit(1);
  }
  const stop = (): void => {
    logger.info("Shutting down");
    void manager.stop().then(() => process.exit(0));
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

await main();
