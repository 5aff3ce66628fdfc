// Kubernetes Events (core/v1), so `kubectl describe` and `kubectl get events` show what the
// manager did and why. Fire-and-forget: a failed Event is logged, never thrown.
import type { CoreV1Api } from "@kubernetes/client-node";
import type { Logger } from "./logger.ts";

export interface EventTarget {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  uid?: string;
}

export class EventRecorder {
  readonly #core: CoreV1Api;
  readonly #component: string;
  readonly #logger: Logger;

  constructor(opts: { core: CoreV1Api; component: string; logger: Logger }) {
    this.#core = opts.core;
    this.#component = opts.component;
    this.#logger = opts.logger;
  }

  record(object: EventTarget, type: "Normal" | "Warning", reason: string, message: string): void {
    // The API server accepts Events about cluster-scoped objects (ImageList, ImageJob) only in
    // the "default" namespace; namespaced objects get theirs in their own namespace.
    const namespace = object.namespace ?? "default";
    const now = new Date();
    const name = `${object.name}.${now.getTime().toString(16)}${Math.floor(Math.random() * 0xfff).toString(16)}`;
    this.#logger.info({ object: `${object.kind}/${object.name}`, type, reason }, message);
    this.#core
      .createNamespacedEvent({
        namespace,
        body: {
          metadata: { name, namespace },
          involvedObject: {
            apiVersion: object.apiVersion,
            kind: object.kind,
            name: object.name,
            ...(object.namespace === undefined ? {} : { namespace: object.namespace }),
            ...(object.uid === undefined ? {} : { uid: object.uid }),
          },
          type,
          reason,
          message: message.slice(0, 1024),
          source: { component: this.#component },
          reportingComponent: this.#component,
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
        },
      })
      .catch((error: unknown) => {
        this.#logger.warn({ reason, err: error instanceof Error ? error.message.split("\n")[0] : String(error) }, "Could not record Event");
      });
  }
}
