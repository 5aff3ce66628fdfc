// The CRI client over @grpc/grpc-js on the runtime's unix socket: a deadline on every call,
// 16 MiB messages, and errors that name the endpoint and the cause.
import { Client, credentials, Metadata, status, type ServiceError } from "@grpc/grpc-js";
import * as z from "../api/zod.ts";
import type { ImageRecord } from "../images/record.ts";
import * as m from "./messages.ts";
import { decodeContainerImages } from "./container-images.ts";
import { CriError, type ContainerImages, type ContainerRecord, type CriClient, type RuntimeVersion, type SandboxRecord } from "./types.ts";

const maxMessageBytes = 16 * 1024 * 1024;
const runtimeService = "/runtime.v1.RuntimeService";
const imageService = "/runtime.v1.ImageService";

export interface GrpcCriOptions {
  /** Per-call deadline in ms (removal of a large image can take a while). */
  timeoutMs?: number;
}

export class GrpcCriClient implements CriClient {
  readonly endpoint: string;
  readonly #client: Client;
  readonly #timeoutMs: number;
  /**
   * Whether the runtime has answered and no call has waited out its deadline since. Then a call
   * waits for the connection (a runtime restart: containerd 1.6's CRI was back in 0.45 s) instead
   * of failing at once. A runtime that never answered still fails fast with "cannot be reached",
   * and one that does not come back within a deadline makes the calls after it fail fast again.
   */
  #answered = false;

  constructor(endpoint: string, options: GrpcCriOptions = {}) {
    this.endpoint = endpoint;
    this.#timeoutMs = options.timeoutMs ?? 60_000;
    this.#client = new Client(toGrpcAddress(endpoint), credentials.createInsecure(), {
      "grpc.max_receive_message_length": maxMessageBytes,
      "grpc.max_send_message_length": maxMessageBytes,
      "grpc.enable_retries": 0,
      "grpc.enable_channelz": 0,
    });
  }

  #call<T>(path: string, request: Buffer, decode: (b: Buffer) => T, timeoutMs = this.#timeoutMs): Promise<T> {
    return new Promise((resolve, reject) => {
      this.#client.makeUnaryRequest(
        path,
        (b: Buffer) => b,
        (b: Buffer) => b,
        request,
        // gRPC carries "wait for ready" as a metadata option, not a call option.
        new Metadata({ waitForReady: this.#answered }),
        { deadline: Date.now() + timeoutMs },
        (error: ServiceError | null, reply?: Buffer) => {
          if (error !== null) {
            if (error.code === status.DEADLINE_EXCEEDED) this.#answered = false;
            reject(describe(this.endpoint, path, error));
            return;
          }
          this.#answered = true;
          try {
            resolve(decode(reply ?? Buffer.alloc(0)));
          } catch (cause) {
            reject(new CriError(this.endpoint, `${path}: malformed reply (${(cause as Error).message})`, undefined, { cause }));
          }
        },
      );
    });
  }

  async version(): Promise<RuntimeVersion> {
    const v = await this.#call(`${runtimeService}/Version`, m.encodeVersionRequest("v1"), m.decodeVersionResponse, 10_000);
    if (v.runtimeApiVersion !== "" && !v.runtimeApiVersion.startsWith("v1")) {
      throw new CriError(this.endpoint, `does not serve runtime.v1 (it reports CRI API ${v.runtimeApiVersion})`);
    }
    return v;
  }

  listImages(): Promise<ImageRecord[]> {
    return this.#call(`${imageService}/ListImages`, m.encodeListImagesRequest(), m.decodeListImagesResponse);
  }

  listContainerImages(seen?: ReadonlyMap<string, ContainerImages>): Promise<ContainerImages[]> {
    return this.#call(`${runtimeService}/ListContainers`, m.encodeListContainersRequest(), (buffer) => decodeContainerImages(buffer, seen));
  }

  /** Every container with its state, name and labels (the tests and the test ground read them). */
  listContainers(): Promise<ContainerRecord[]> {
    return this.#call(`${runtimeService}/ListContainers`, m.encodeListContainersRequest(), m.decodeListContainersResponse);
  }

  listPodSandboxes(): Promise<SandboxRecord[]> {
    return this.#call(`${runtimeService}/ListPodSandbox`, m.encodeListPodSandboxRequest(), m.decodeListPodSandboxResponse);
  }

  async sandboxImage(): Promise<string | undefined> {
    const info = await this.#call(`${runtimeService}/Status`, m.encodeStatusRequest(), m.decodeStatusInfo, 10_000);
    return sandboxImageFromStatusInfo(info);
  }

  async podSandboxImage(podSandboxId: string): Promise<string | undefined> {
    try {
      const info = await this.#call(`${runtimeService}/PodSandboxStatus`, m.encodePodSandboxStatusRequest(podSandboxId), m.decodePodSandboxStatusInfo, 10_000);
      return podSandboxImageFromInfo(info);
    } catch (error) {
      if (error instanceof CriError && error.code === status.NOT_FOUND) return undefined;
      throw error;
    }
  }

  async containerMountImages(containerId: string): Promise<string[] | undefined> {
    try {
      return await this.#call(`${runtimeService}/ContainerStatus`, m.encodeContainerStatusRequest(containerId), m.decodeContainerMountImages, 10_000);
    } catch (error) {
      if (error instanceof CriError && error.code === status.NOT_FOUND) return undefined;
      throw error;
    }
  }

  async removeImage(image: string): Promise<void> {
    try {
      await this.#call(`${imageService}/RemoveImage`, m.encodeRemoveImageRequest(image), () => undefined);
    } catch (error) {
      if (error instanceof CriError && error.code === status.NOT_FOUND) return;
      throw error;
    }
  }

  close(): void {
    this.#client.close();
  }
}

/** containerd reports its CRI config (with `sandboxImage`) as JSON under info["config"]. */
export function sandboxImageFromStatusInfo(info: Record<string, string>): string | undefined {
  const config = info["config"];
  if (config === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(config);
    if (typeof parsed === "object" && parsed !== null && "sandboxImage" in parsed && typeof parsed.sandboxImage === "string") {
      return parsed.sandboxImage;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** containerd's verbose PodSandboxStatus: JSON under info["info"], with the image the sandbox runs. */
const SandboxInfoSchema = z.object({ image: z.string().check(z.minLength(1)) });

export function podSandboxImageFromInfo(info: Record<string, string>): string | undefined {
  const text = info["info"];
  if (text === undefined) return undefined;
  try {
    const parsed = SandboxInfoSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data.image : undefined;
  } catch {
    return undefined;
  }
}

function toGrpcAddress(endpoint: string): string {
  if (endpoint.startsWith("unix://")) return `unix:${endpoint.slice("unix://".length)}`;
  if (endpoint.startsWith("/")) return `unix:${endpoint}`;
  if (endpoint.startsWith("tcp://")) return endpoint.slice("tcp://".length);
  return endpoint;
}

function describe(endpoint: string, path: string, error: ServiceError): CriError {
  const method = path.split("/").at(-1) ?? path;
  if (error.code === status.UNIMPLEMENTED) {
    return new CriError(endpoint, `does not serve runtime.v1 (${method}: ${error.details})`, error.code, { cause: error });
  }
  if (error.code === status.UNAVAILABLE) {
    return new CriError(endpoint, `cannot be reached (${error.details}); is the runtime socket mounted and the runtime running?`, error.code, { cause: error });
  }
  if (error.code === status.DEADLINE_EXCEEDED) {
    return new CriError(endpoint, `${method} did not answer in time`, error.code, { cause: error });
  }
  return new CriError(endpoint, `${method} failed: ${error.details}`, error.code, { cause: error });
}
