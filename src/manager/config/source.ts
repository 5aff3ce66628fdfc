// The EraserConfig from ConfigMap eraser-manager-config (key controller_manager_config.yaml),
// watched through the API: a change applies to the next job without a restart. A broken config
// at start-up stops the manager with the field named; a broken change keeps the last good config
// and is reported (log + Warning Event).
import type { KubeConfig, V1ConfigMap } from "@kubernetes/client-node";
import { defaultEraserConfig, loadEraserConfig } from "../../api/config/load.ts";
import type { EraserConfig } from "../../api/config/types.ts";
import { managerConfigKey, managerConfigMapName } from "../../api/group.ts";
import type { Apis } from "../../k8s/client.ts";
import { isNotFound } from "../../k8s/errors.ts";
import { ResilientInformer } from "../../k8s/informer.ts";
import { continueFrom, listedPage } from "../../k8s/paged-list.ts";
import { keepConfigMap, type CachedConfigMap } from "../cached-objects.ts";
import type { EventRecorder } from "../../observability/events.ts";
import type { Logger } from "../../observability/logger.ts";

export class ConfigSource {
  #current: EraserConfig = defaultEraserConfig();
  #lastText: string | undefined;
  readonly #listeners: ((config: EraserConfig) => void)[] = [];
  readonly #informer: ResilientInformer<CachedConfigMap>;
  readonly #opts: { apis: Apis; namespace: string; logger: Logger; events: EventRecorder; name: string };

  constructor(opts: { kubeConfig: KubeConfig; apis: Apis; namespace: string; logger: Logger; events: EventRecorder; configMapName?: string }) {
    const name = opts.configMapName ?? managerConfigMapName;
    this.#opts = { apis: opts.apis, namespace: opts.namespace, logger: opts.logger, events: opts.events, name };
    this.#informer = new ResilientInformer({
      kubeConfig: opts.kubeConfig,
      path: `/api/v1/namespaces/${opts.namespace}/configmaps`,
      list: async ({ limit, continueToken }) => listedPage(await opts.apis.core.listNamespacedConfigMap({ namespace: opts.namespace, fieldSelector: `metadata.name=${name}`, limit, ...continueFrom(continueToken) })),
      keep: keepConfigMap,
      fieldSelector: `metadata.name=${name}`,
      logger: opts.logger.child({ informer: "manager-config" }),
      onEvent: (type, cm) => {
        this.#reload(type === "delete" ? undefined : cm);
      },
    });
  }

  /** Reads the config once (throwing, with the field named, if it is invalid), then watches it. */
  async start(): Promise<void> {
    let cm: V1ConfigMap | undefined;
    try {
      cm = await this.#opts.apis.core.readNamespacedConfigMap({ name: this.#opts.name, namespace: this.#opts.namespace });
    } catch (error) {
      if (!isNotFound(error)) throw error;
      this.#opts.logger.info({ configMap: this.#opts.name }, "No manager ConfigMap; using defaults");
    }
    const text = cm?.data?.[managerConfigKey];
    if (text !== undefined) {
      const { config, warnings } = loadEraserConfig(text);
      for (const warning of warnings) this.#opts.logger.warn({ configMap: this.#opts.name }, warning);
      this.#current = config;
      this.#lastText = text;
    }
    await this.#informer.start();
  }

  current(): EraserConfig {
    return this.#current;
  }

  onChange(listener: (config: EraserConfig) => void): void {
    this.#listeners.push(listener);
  }

  #reload(cm: CachedConfigMap | undefined): void {
    const text = cm?.data?.[managerConfigKey];
    if (text === this.#lastText) return;
    const target = { apiVersion: "v1", kind: "ConfigMap", name: this.#opts.name, namespace: this.#opts.namespace, ...(cm?.metadata.uid === undefined ? {} : { uid: cm.metadata.uid }) };
    try {
      const { config, warnings } = text === undefined ? { config: defaultEraserConfig(), warnings: [] } : loadEraserConfig(text);
      for (const warning of warnings) this.#opts.events.record(target, "Warning", "ConfigWarning", warning);
      this.#current = config;
      this.#lastText = text;
      this.#opts.logger.info({ configMap: this.#opts.name }, "Loaded changed manager config");
      for (const listener of this.#listeners) listener(config);
    } catch (error) {
      this.#lastText = text;
      this.#opts.events.record(target, "Warning", "InvalidConfig", `kept the last good config: ${(error as Error).message}`);
    }
  }

  async stop(): Promise<void> {
    await this.#informer.stop();
  }

  get synced(): boolean {
    return this.#informer.synced;
  }
}
