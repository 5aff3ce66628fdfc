// What the worker needs from a CRI runtime, independent of transport (grpc-js or a fake).
import type { ImageRecord } from "../images/record.ts";

export type ContainerState = "created" | "running" | "exited" | "unknown";

/**
 * What the in-use check reads of a container: its image, as it was created with it. Fixed for the
 * container's life, so a listing can reuse what it read of a container ID before.
 */
export interface ContainerImages {
  id: string;
  /** The reference the container was created with (containerd 1.6: a name, not always the ID). */
  image: string;
  /** The image ID (imageRef). */
  imageRef: string;
}

/** A container as ListContainers gives it (the tests and the harness read its state and labels). */
export interface ContainerRecord extends ContainerImages {
  podSandboxId: string;
  name: string;
  state: ContainerState;
  labels: Record<string, string>;
}

export interface SandboxRecord {
  id: string;
  name: string;
  namespace: string;
  state: "ready" | "notready";
}

export interface RuntimeVersion {
  runtimeName: string;
  runtimeVersion: string;
  runtimeApiVersion: string;
}

export interface CriClient {
  readonly endpoint: string;
  version(): Promise<RuntimeVersion>;
  listImages(): Promise<ImageRecord[]>;
  /**
   * Every container on the node, in any state, with its images. A container ID in `seen` is given
   * as `seen` has it, and the rest of its record is not read (it cannot have changed).
   */
  listContainerImages(seen?: ReadonlyMap<string, ContainerImages>): Promise<ContainerImages[]>;
  listPodSandboxes(): Promise<SandboxRecord[]>;
  /** The runtime's pod-sandbox (pause) image, when it says (containerd 1.x: Status verbose config; 2.x pins it instead). */
  sandboxImage(): Promise<string | undefined>;
  /**
   * The image one pod sandbox runs, when the runtime says (containerd: PodSandboxStatus verbose
   * info); undefined once the sandbox is gone. A sandbox keeps the image it started with when the
   * runtime's sandbox image changes later.
   */
  podSandboxImage(podSandboxId: string): Promise<string | undefined>;
  /**
   * The images a container mounts as image volumes (Kubernetes `volumes[].image`, KEP 4639), from
   * its status; undefined once the container is gone. A runtime without image volumes reports none.
   */
  containerMountImages(containerId: string): Promise<string[] | undefined>;
  /** Removes an image by ID or reference; NotFound is success (it is gone either way). */
  removeImage(image: string): Promise<void>;
  close(): void;
}

/** gRPC's UNAVAILABLE: the runtime could not be reached, or the connection dropped mid-call. */
const unavailable = 14;

/** A call the runtime may or may not have carried out: the connection was lost (a restart). */
export function isConnectionLost(error: unknown): boolean {
  return error instanceof CriError && error.code === unavailable;
}

export class CriError extends Error {
  override readonly name = "CriError";
  readonly endpoint: string;
  readonly code: number | undefined;
  constructor(endpoint: string, message: string, code?: number, options?: ErrorOptions) {
    super(`CRI runtime at ${endpoint}: ${message}`, options);
    this.endpoint = endpoint;
    this.code = code;
  }
}
