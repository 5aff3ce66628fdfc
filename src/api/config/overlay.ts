// Lays a (converted) v1alpha3 document over the defaults. Scalars given replace defaults, lists
// given replace default lists, omitted fields keep defaults. Values are checked here where zod's
// shape check cannot: durations, quantities, the runtime address, the schedule extensions.
import { parseQuantity } from "../quantity.ts";
import { cleanupFilterSelector, defaultRuntimeAddresses } from "./defaults.ts";
import type { V1Alpha3Document } from "./document-schema.ts";
import { ConfigError } from "./errors.ts";
import { durationField, parseScannerConfig } from "./scanner.ts";
import type { ComponentResources, EraserConfig, ImageRef, Resources } from "./types.ts";

type Manager = NonNullable<V1Alpha3Document["manager"]>;
type Components = NonNullable<V1Alpha3Document["components"]>;
type ContainerDoc = NonNullable<Components["remover"]>;

const weekdayNumbers: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

export function applyDocument(defaults: EraserConfig, doc: V1Alpha3Document): { config: EraserConfig; warnings: string[] } {
  const config = structuredClone(defaults);
  const warnings: string[] = [];
  if (doc.manager) applyManager(config, doc.manager);
  if (doc.components) warnings.push(...applyComponents(config, doc.components));
  return { config, warnings };
}

function applyManager(config: EraserConfig, m: Manager): void {
  if (m.runtime !== undefined) config.manager.runtime = runtimeOf(m.runtime);
  applyScalars(config.manager, m);
  applyScheduling(config, m.scheduling ?? {});
  applyImageJob(config.manager.imageJob, m.imageJob ?? {});
  applyNodeFilter(config.manager.nodeFilter, m.nodeFilter ?? {});
}

function runtimeOf(runtime: NonNullable<Manager["runtime"]>): EraserConfig["manager"]["runtime"] {
  if (runtime.name === undefined) {
    throw new ConfigError("manager.runtime.name", "is required when manager.runtime.address is set");
  }
  const address = runtime.address ?? defaultRuntimeAddresses[runtime.name];
  if (!/^(unix|tcp):\/\//.test(address)) {
    throw new ConfigError("manager.runtime.address", `"${address}" must start with unix:// or tcp://`);
  }
  return { name: runtime.name, address };
}

function applyScalars(target: EraserConfig["manager"], m: Manager): void {
  target.otlpEndpoint = m.otlpEndpoint ?? target.otlpEndpoint;
  target.logLevel = m.logLevel ?? target.logLevel;
  target.dryRun = m.dryRun ?? target.dryRun;
  target.pullSecrets = m.pullSecrets ?? target.pullSecrets;
  target.priorityClassName = m.priorityClassName ?? target.priorityClassName;
  target.additionalPodLabels = m.additionalPodLabels ?? target.additionalPodLabels;
  const profile = m.profile ?? {};
  target.profile = { enabled: profile.enabled ?? target.profile.enabled, port: profile.port ?? target.profile.port };
}

function applyImageJob(target: EraserConfig["manager"]["imageJob"], j: NonNullable<Manager["imageJob"]>): void {
  target.successRatio = j.successRatio ?? target.successRatio;
  const cleanup = j.cleanup ?? {};
  const field = "manager.imageJob.cleanup";
  target.cleanup = {
    delayOnSuccessMs: durationField(cleanup.delayOnSuccess, `${field}.delayOnSuccess`, target.cleanup.delayOnSuccessMs),
    delayOnFailureMs: durationField(cleanup.delayOnFailure, `${field}.delayOnFailure`, target.cleanup.delayOnFailureMs),
  };
}

function applyNodeFilter(target: EraserConfig["manager"]["nodeFilter"], f: NonNullable<Manager["nodeFilter"]>): void {
  target.type = f.type ?? target.type;
  const selectors = f.selectors ?? target.selectors;
  // Eraser always honours its opt-out label, whatever list the user gives.
  target.selectors = selectors.includes(cleanupFilterSelector) ? selectors : [cleanupFilterSelector, ...selectors];
}

function applyScheduling(config: EraserConfig, s: NonNullable<Manager["scheduling"]>): void {
  const target = config.manager.scheduling;
  target.repeatIntervalMs = durationField(s.repeatInterval, "manager.scheduling.repeatInterval", target.repeatIntervalMs);
  if (target.repeatIntervalMs <= 0) throw new ConfigError("manager.scheduling.repeatInterval", "must be more than 0");
  target.beginImmediately = s.beginImmediately ?? target.beginImmediately;
  target.timeZone = s.timeZone ?? target.timeZone;
  if (s.cron !== undefined) target.cron = s.cron;
  if (s.maintenanceWindow !== undefined) {
    const w = s.maintenanceWindow;
    target.maintenanceWindow = {
      start: w.start,
      durationMs: durationField(w.duration, "manager.scheduling.maintenanceWindow.duration", 0),
      days: (w.days ?? []).map((day) => weekdayNumbers[day] ?? 0),
    };
  }
}

function applyComponents(config: EraserConfig, c: Components): string[] {
  const { collector, scanner, remover } = config.components;
  if (c.collector) {
    collector.enabled = c.collector.enabled ?? collector.enabled;
    applyContainer(collector, c.collector, "components.collector");
  }
  if (c.remover) applyContainer(remover, c.remover, "components.remover");
  if (!c.scanner) return [];
  scanner.enabled = c.scanner.enabled ?? scanner.enabled;
  applyContainer(scanner, c.scanner, "components.scanner");
  scanner.volumes = (c.scanner.volumes ?? []).map((v) => ({ name: v.name, hostPath: v.hostPath.path, mountPath: v.mountPath ?? v.hostPath.path }));
  if (c.scanner.config === undefined || c.scanner.config === null) return [];
  const parsed = parseScannerConfig(c.scanner.config);
  scanner.configYaml = c.scanner.config;
  scanner.config = parsed.config;
  return parsed.warnings;
}

function applyContainer(target: { image: ImageRef } & ComponentResources, doc: ContainerDoc, field: string): void {
  target.image = { repo: doc.image?.repo ?? target.image.repo, tag: doc.image?.tag ?? target.image.tag };
  target.request = mergeResources(target.request, doc.request, `${field}.request`);
  target.limit = mergeResources(target.limit, doc.limit, `${field}.limit`);
}

function mergeResources(base: Resources, doc: ContainerDoc["request"], field: string): Resources {
  const memory = quantityOf(doc?.mem, base.memory, `${field}.mem`);
  const cpu = quantityOf(doc?.cpu, base.cpu, `${field}.cpu`);
  return { ...(memory === undefined ? {} : { memory }), ...(cpu === undefined ? {} : { cpu }) };
}

/** A given quantity replaces the default; "0" means "not set" (Eraser ships `cpu: 0` for "no limit"). */
function quantityOf(value: string | number | undefined, fallback: string | undefined, field: string): string | undefined {
  if (value === undefined) return fallback;
  const text = String(value);
  try {
    return parseQuantity(text) === 0 ? undefined : text;
  } catch (error) {
    throw new ConfigError(field, (error as Error).message, { cause: error });
  }
}
