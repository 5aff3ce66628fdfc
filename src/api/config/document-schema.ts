// The EraserConfig document as users write it, one zod schema per apiVersion. Every field is
// optional: the document is laid over the defaults. The versions differ only where Eraser's did:
// v1alpha1 calls the remover `eraser`; v1alpha1 and v1alpha2 name the runtime with a plain string.
import { nonEmptyString as nonEmpty, nullish } from "../schema-parts.ts";
import * as z from "../zod.ts";

const runtimeName = z.enum(["containerd", "crio", "dockershim"]);
const quantity = z.union([z.string(), z.number()]);
const resources = nullish(z.object({ mem: z.optional(quantity), cpu: z.optional(quantity) }));
const image = nullish(z.object({ repo: z.optional(z.string()), tag: z.optional(z.string()) }));

const container = {
  image,
  request: resources,
  limit: resources,
};
const optionalContainer = nullish(z.object({ enabled: z.optional(z.boolean()), ...container }));
const volume = z.object({
  name: nonEmpty(),
  hostPath: z.object({ path: nonEmpty(), type: z.optional(z.string()) }),
  mountPath: z.optional(nonEmpty()),
});
const scanner = nullish(
  z.object({ enabled: z.optional(z.boolean()), ...container, config: nullish(z.string()), volumes: nullish(z.array(volume)) }),
);

const maintenanceWindow = z.object({
  start: z.string(),
  duration: z.string(),
  days: z.optional(z.array(z.enum(["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]))),
});

const scheduling = nullish(
  z.object({
    repeatInterval: z.optional(z.string()),
    beginImmediately: z.optional(z.boolean()),
    cron: z.optional(z.string()),
    timeZone: z.optional(z.string()),
    maintenanceWindow: z.optional(maintenanceWindow),
  }),
);

const imageJob = nullish(
  z.object({
    successRatio: z.optional(z.number().check(z.gte(0), z.lte(1))),
    cleanup: nullish(z.object({ delayOnSuccess: z.optional(z.string()), delayOnFailure: z.optional(z.string()) })),
  }),
);

function managerSchema<Runtime extends z.ZodMiniType>(runtime: Runtime) {
  return nullish(
    z.object({
      runtime: z.optional(runtime),
      otlpEndpoint: z.optional(z.string()),
      logLevel: z.optional(z.string()),
      dryRun: z.optional(z.boolean()),
      scheduling,
      profile: nullish(z.object({ enabled: z.optional(z.boolean()), port: z.optional(z.int().check(z.gte(1), z.lte(65535))) })),
      imageJob,
      pullSecrets: nullish(z.array(nonEmpty())),
      priorityClassName: z.optional(z.string()),
      additionalPodLabels: nullish(z.record(z.string(), z.string())),
      nodeFilter: nullish(z.object({ type: z.optional(z.enum(["exclude", "include"])), selectors: nullish(z.array(nonEmpty())) })),
    }),
  );
}

const header = { apiVersion: z.string(), kind: z.optional(z.literal("EraserConfig")) };
const runtimeSpec = z.object({ name: z.optional(runtimeName), address: z.optional(nonEmpty()) });
const remover = nullish(z.object(container));

export const V1Alpha1Schema = z.object({
  ...header,
  manager: managerSchema(runtimeName),
  components: nullish(z.object({ collector: optionalContainer, scanner, eraser: remover })),
});

export const V1Alpha2Schema = z.object({
  ...header,
  manager: managerSchema(runtimeName),
  components: nullish(z.object({ collector: optionalContainer, scanner, remover })),
});

export const V1Alpha3Schema = z.object({
  ...header,
  manager: managerSchema(runtimeSpec),
  components: nullish(z.object({ collector: optionalContainer, scanner, remover })),
});

export type V1Alpha3Document = z.infer<typeof V1Alpha3Schema>;
