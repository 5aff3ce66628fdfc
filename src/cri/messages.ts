// CRI runtime.v1 messages, by field number (k8s.io/cri-api pkg/apis/runtime/v1/api.proto).
import type { ImageRecord } from "../images/record.ts";
import { fieldBool, fieldMap, fieldMessage, fieldMessages, fieldNumber, fieldString, fieldStrings, ProtoWriter, readFields } from "./protobuf.ts";
import type { ContainerRecord, ContainerState, RuntimeVersion, SandboxRecord } from "./types.ts";

const empty = Buffer.alloc(0);

/** VersionRequest { string version = 1 } */
export const encodeVersionRequest = (version: string): Buffer => new ProtoWriter().string(1, version).finish();

/** VersionResponse { version = 1; runtime_name = 2; runtime_version = 3; runtime_api_version = 4 } */
export function decodeVersionResponse(buffer: Buffer): RuntimeVersion {
  const f = readFields(buffer);
  return { runtimeName: fieldString(f, 2), runtimeVersion: fieldString(f, 3), runtimeApiVersion: fieldString(f, 4) };
}

/** ListImagesRequest { ImageFilter filter = 1 } — empty lists every image. */
export const encodeListImagesRequest = (): Buffer => empty;

/** ListImagesResponse { repeated Image images = 1 }; Image { id = 1; repo_tags = 2; repo_digests = 3; uint64 size = 4; pinned = 8 } */
export function decodeListImagesResponse(buffer: Buffer): ImageRecord[] {
  return fieldMessages(readFields(buffer), 1).map((message) => {
    const f = readFields(message);
    return {
      id: fieldString(f, 1),
      repoTags: fieldStrings(f, 2),
      repoDigests: fieldStrings(f, 3),
      sizeBytes: fieldNumber(f, 4),
      pinned: fieldBool(f, 8),
    };
  });
}

/** ListContainersRequest { ContainerFilter filter = 1 } — no filter: every state. */
export const encodeListContainersRequest = (): Buffer => empty;

const containerStates: ContainerState[] = ["created", "running", "exited", "unknown"];

/**
 * ListContainersResponse { repeated Container containers = 1 }; Container { id = 1;
 * pod_sandbox_id = 2; ContainerMetadata metadata = 3 {name = 1}; ImageSpec image = 4 {image = 1};
 * image_ref = 5; ContainerState state = 6; labels = 8; image_id = 10 }
 */
export function decodeListContainersResponse(buffer: Buffer): ContainerRecord[] {
  return fieldMessages(readFields(buffer), 1).map((message) => {
    const f = readFields(message);
    const metadata = fieldMessage(f, 3);
    const image = fieldMessage(f, 4);
    const imageId = fieldString(f, 10);
    return {
      id: fieldString(f, 1),
      podSandboxId: fieldString(f, 2),
      name: metadata === undefined ? "" : fieldString(metadata, 1),
      image: image === undefined ? "" : fieldString(image, 1),
      imageRef: imageId === "" ? fieldString(f, 5) : imageId,
      state: containerStates[fieldNumber(f, 6)] ?? "unknown",
      labels: fieldMap(f, 8),
    };
  });
}

/** ListPodSandboxRequest { PodSandboxFilter filter = 1 } */
export const encodeListPodSandboxRequest = (): Buffer => empty;

/** ListPodSandboxResponse { repeated PodSandbox items = 1 }; PodSandbox { id = 1; metadata = 2 {name = 1; uid = 2; namespace = 3}; state = 3 } */
export function decodeListPodSandboxResponse(buffer: Buffer): SandboxRecord[] {
  return fieldMessages(readFields(buffer), 1).map((message) => {
    const f = readFields(message);
    const metadata = fieldMessage(f, 2);
    return {
      id: fieldString(f, 1),
      name: metadata === undefined ? "" : fieldString(metadata, 1),
      namespace: metadata === undefined ? "" : fieldString(metadata, 3),
      state: fieldNumber(f, 3) === 0 ? "ready" : "notready",
    };
  });
}

/** StatusRequest { bool verbose = 1 } */
export const encodeStatusRequest = (): Buffer => new ProtoWriter().bool(1, true).finish();

/** StatusResponse { RuntimeStatus status = 1; map<string,string> info = 2 } */
export function decodeStatusInfo(buffer: Buffer): Record<string, string> {
  return fieldMap(readFields(buffer), 2);
}

/** PodSandboxStatusRequest { string pod_sandbox_id = 1; bool verbose = 2 } */
export const encodePodSandboxStatusRequest = (podSandboxId: string): Buffer => new ProtoWriter().string(1, podSandboxId).bool(2, true).finish();

/** PodSandboxStatusResponse { PodSandboxStatus status = 1; map<string,string> info = 2; ... } */
export function decodePodSandboxStatusInfo(buffer: Buffer): Record<string, string> {
  return fieldMap(readFields(buffer), 2);
}

/** RemoveImageRequest { ImageSpec image = 1 }; ImageSpec { string image = 1 } */
export const encodeRemoveImageRequest = (image: string): Buffer => new ProtoWriter().message(1, new ProtoWriter().string(1, image)).finish();

/** ContainerStatusRequest { string container_id = 1; bool verbose = 2 }: not verbose, the mounts are in the status. */
export const encodeContainerStatusRequest = (containerId: string): Buffer => new ProtoWriter().string(1, containerId).finish();

/**
 * ContainerStatusResponse { ContainerStatus status = 1 }; ContainerStatus { repeated Mount mounts = 14 };
 * Mount { ImageSpec image = 9 } (image volumes, KEP 4639: the kubelet sets the pulled image's ref);
 * ImageSpec { string image = 1 }. The images the container's image volumes mount, if any.
 */
export function decodeContainerMountImages(buffer: Buffer): string[] {
  const status = fieldMessage(readFields(buffer), 1);
  if (status === undefined) return [];
  return fieldMessages(status, 14).flatMap((mount) => {
    const image = fieldMessage(readFields(mount), 9);
    const ref = image === undefined ? "" : fieldString(image, 1);
    return ref === "" ? [] : [ref];
  });
}
