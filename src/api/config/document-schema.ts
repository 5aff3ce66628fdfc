// The EraserConfig document as users write it, one zod schema per apiVersion. Every field is
// optional: the document is laid over the defaults. The versions differ only where Eraser's did:
// v1alpha1 calls the remover `eraser`; v1alpha1 and v1alpha2 name the runtime with a plain string.
import { z } from "zod";

const runtimeName = z.enum(["containerd", "crio", "dockershim"]);
const quantity = z.union([z.string(), z.number()]);
const resources = z.object({ mem: quantity.optional(), cpu: quantity.optional() }).nullable().optional();
const image = z.object({ repo: z.string().optional(), tag: z.string().optional() }).nullable().optional();

const container = {
  image,
  request: resources,
  limit: resources,
};
const optionalContainer = z.object({ enabled: z.boolean().optional(), ...container }).nullable().optional();
const volume = z.object({
  name: z.string().min(1),
  hostPath: z.object({ path: z.string().min(1), type: z.string().optional() }),
  mountPath: z.string().min(1).optional(),
});
const scanner = z
  .object({ enabled: z.boolean().optional(), ...container, config: z.string().nullable().optional(), volumes: z.array(volume).nullable().optional() })
  .nullable()
  .optional();

const maintenanceWindow = z.object({
  start: z.string(),
  duration: z.string(),
  days: z.array(z.enum(["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"])).optional(),
});

function managerSchema<Runtime extends z.ZodType>(runtime: Runtime) {
  return z
    .object({
      runtime: runtime.optional(),
      otlpEndpoint: z.string().optional(),
      logLevel: z.string().optional(),
      dryRun: z.boolean().optional(),
      scheduling: z
        .object({
          repeatInterval: z.string().optional(),
          beginImmediately: z.boolean().optional(),
          cron: z.string().optional(),
          timeZone: z.string().optional(),
          maintenanceWindow: maintenanceWindow.optional(),
        })
        .nullable()
        .optional(),
      profile: z.object({ enabled: z.boolean().optional(), port: z.number().int().min(1).max(65535).optional() }).nullable().optional(),
      imageJob: z
        .object({
          successRatio: z.number().min(0).max(1).optional(),
          cleanup: z.object({ delayOnSuccess: z.string().optional(), delayOnFailure: z.string().optional() }).nullable().optional(),
        })
        .nullable()
        .optional(),
      pullSecrets: z.array(z.string().min(1)).nullable().optional(),
      priorityClassName: z.string().optional(),
      additionalPodLabels: z.record(z.string(), z.string()).nullable().optional(),
      nodeFilter: z
        .object({ type: z.enum(["exclude", "include"]).optional(), selectors: z.array(z.string().min(1)).nullable().optional() })
        .nullable()
        .optional(),
    })
    .nullable()
    .optional();
}

const header = { apiVersion: z.string(), kind: z.literal("EraserConfig").optional() };
const runtimeSpec = z.object({ name: runtimeName.optional(), address: z.string().min(1).optional() });

export const V1Alpha1Schema = z.object({
  ...header,
  manager: managerSchema(runtimeName),
  components: z.object({ collector: optionalContainer, scanner, eraser: z.object(container).nullable().optional() }).nullable().optional(),
});

export const V1Alpha2Schema = z.object({
  ...header,
  manager: managerSchema(runtimeName),
  components: z.object({ collector: optionalContainer, scanner, remover: z.object(container).nullable().optional() }).nullable().optional(),
});

export const V1Alpha3Schema = z.object({
  ...header,
  manager: managerSchema(runtimeSpec),
  components: z.object({ collector: optionalContainer, scanner, remover: z.object(container).nullable().optional() }).nullable().optional(),
});

export type V1Alpha3Document = z.infer<typeof V1Alpha3Schema>;
