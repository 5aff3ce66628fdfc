// An in-memory CRI runtime for unit tests of pure worker logic. Integration tests use containerd.
import type { ImageRecord } from "../images/record.ts";
import type { ContainerImages, CriClient, RuntimeVersion, SandboxRecord } from "./types.ts";

export class FakeCri implements CriClient {
  readonly endpoint = "fake://cri";
  images: ImageRecord[];
  containers: ContainerImages[];
  sandboxes: SandboxRecord[] = [];
  sandbox: string | undefined;
  /** The image each pod sandbox runs, by sandbox ID. */
  sandboxImages: Record<string, string> = {};
  /** The images each container mounts as image volumes, by container ID. */
  mountImages: Record<string, string[]> = {};
  /** How many ContainerStatus calls were made (the mount cache's tests read it). */
  statusCalls = 0;
  removed: string[] = [];
  /** Called before each removal, to simulate a container appearing in the race window. */
  beforeRemove: ((image: string) => void) | undefined;

  constructor(images: ImageRecord[] = [], containers: ContainerImages[] = [], sandbox?: string) {
    this.images = images;
    this.containers = containers;
    this.sandbox = sandbox;
  }

  version(): Promise<RuntimeVersion> {
    return Promise.resolve({ runtimeName: "fake", runtimeVersion: "0", runtimeApiVersion: "v1" });
  }
  listImages(): Promise<ImageRecord[]> {
    return Promise.resolve(structuredClone(this.images));
  }
  listContainerImages(seen?: ReadonlyMap<string, ContainerImages>): Promise<ContainerImages[]> {
    return Promise.resolve(this.containers.map((c) => seen?.get(c.id) ?? structuredClone(c)));
  }
  listPodSandboxes(): Promise<SandboxRecord[]> {
    return Promise.resolve(structuredClone(this.sandboxes));
  }
  sandboxImage(): Promise<string | undefined> {
    return Promise.resolve(this.sandbox);
  }
  podSandboxImage(podSandboxId: string): Promise<string | undefined> {
    return Promise.resolve(this.sandboxImages[podSandboxId]);
  }
  containerMountImages(containerId: string): Promise<string[] | undefined> {
    this.statusCalls++;
    if (!this.containers.some((c) => c.id === containerId)) return Promise.resolve(undefined);
    return Promise.resolve([...(this.mountImages[containerId] ?? [])]);
  }
  removeImage(image: string): Promise<void> {
    this.beforeRemove?.(image);
    this.removed.push(image);
    this.images = this.images.filter((i) => i.id !== image && !i.repoTags.includes(image));
    return Promise.resolve();
  }
  close(): void {
    // Nothing to release.
  }
}
