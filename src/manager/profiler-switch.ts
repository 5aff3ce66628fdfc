// manager.profile follows the config like every other setting: turning it on, off or onto another
// port in `eraser-manager-config` takes effect without a restart (Eraser reads it at start-up
// only). Changes are applied one at a time, in order. A profiler that cannot start is logged and
// the manager runs on without it; the next change tries again.
import type { Logger } from "../observability/logger.ts";
import { startProfiler, type Profiler } from "../observability/profiler.ts";

export interface ProfileSetting {
  enabled: boolean;
  port: number;
}

export class ProfilerSwitch {
  readonly #logger: Logger;
  #running: { port: number; profiler: Profiler } | undefined;
  #queue: Promise<void> = Promise.resolve();

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** Starts, stops or moves the profiler to match `setting`; resolves once done. */
  apply(setting: ProfileSetting): Promise<void> {
    this.#queue = this.#queue.then(() => this.#apply(setting));
    return this.#queue;
  }

  close(): Promise<void> {
    return this.apply({ enabled: false, port: 0 });
  }

  async #apply(setting: ProfileSetting): Promise<void> {
    const running = this.#running;
    if (running !== undefined && setting.enabled && running.port === setting.port) return;
    if (running !== undefined) {
      this.#running = undefined;
      await running.profiler.close();
      this.#logger.info({ port: running.port }, "Stopped the profiler");
    }
    if (!setting.enabled) return;
    try {
      this.#running = { port: setting.port, profiler: await startProfiler({ port: setting.port, logger: this.#logger }) };
    } catch (error) {
      this.#logger.error({ port: setting.port, err: (error as Error).message }, "Cannot serve the profiler; running without it");
    }
  }
}

interface ProfileSource {
  current(): { manager: { profile: ProfileSetting } };
  onChange(listener: (config: { manager: { profile: ProfileSetting } }) => void): void;
}

/** A switch set from `config` now and on every change of it. */
export async function followProfileSetting(config: ProfileSource, logger: Logger): Promise<ProfilerSwitch> {
  const profiler = new ProfilerSwitch(logger);
  await profiler.apply(config.current().manager.profile);
  config.onChange((changed) => void profiler.apply(changed.manager.profile));
  return profiler;
}
