// Starts pod sandboxes and containers straight through the CRI, as a kubelet would, on a private
// containerd that has no kubelet. The worker's own CRI client stays read-and-remove only.
import { Client, credentials, Metadata } from "@grpc/grpc-js";
import { ProtoWriter, fieldString, readFields } from "../../src/cri/protobuf.ts";

/** NamespaceMode NODE: the sandbox shares the host's network, so no CNI is involved. */
const namespaceModeNode = 2;

/** PodSandboxConfig: metadata = 1 {name, uid, namespace}, linux = 8 {security_context = 2 {namespace_options = 1 {network = 1}}}. */
function podSandboxConfig(name: string): ProtoWriter {
  const metadata = new ProtoWriter().string(1, name).string(2, `uid-${name}`).string(3, "default");
  const namespaces = new ProtoWriter().uint(1, namespaceModeNode);
  const linux = new ProtoWriter().message(2, new ProtoWriter().message(1, namespaces));
  return new ProtoWriter().message(1, metadata).message(8, linux);
}

/** One unary RuntimeService call; resolves to the reply's string field 1 (the ID every call here returns). */
function call(endpoint: string, method: string, request: Buffer, what: string): Promise<string> {
  const client = new Client(endpoint.replace(/^unix:\/\//, "unix:"), credentials.createInsecure());
  return new Promise<string>((resolve, reject) => {
    client.makeUnaryRequest(
      `/runtime.v1.RuntimeService/${method}`,
      (b: Buffer) => b,
      (b: Buffer) => b,
      request,
      new Metadata(),
      { deadline: Date.now() + 60_000 },
      (error, reply) => {
        if (error !== null) reject(new Error(`${method} ${what} at ${endpoint}: ${error.message}`));
        else resolve(fieldString(readFields(reply ?? Buffer.alloc(0)), 1));
      },
    );
  }).finally(() => {
    client.close();
  });
}

/** Runs a host-network pod sandbox with the runtime's sandbox image; resolves to its ID. */
export function runPodSandbox(endpoint: string, name: string): Promise<string> {
  // RunPodSandboxRequest { PodSandboxConfig config = 1 }
  return call(endpoint, "RunPodSandbox", new ProtoWriter().message(1, podSandboxConfig(name)).finish(), name);
}

export interface ContainerSpec {
  /** The sandbox's ID and the name it was run with (its config goes with the container's). */
  sandboxId: string;
  sandboxName: string;
  name: string;
  /** An image already on the node, by reference. */
  image: string;
  command: string[];
}

/** Creates and starts a container in a sandbox; resolves to its ID once StartContainer returns. */
export async function runContainer(endpoint: string, spec: ContainerSpec): Promise<string> {
  // ContainerConfig { metadata = 1 {name = 1}, image = 2 {image = 1}, command = 3 (repeated) }
  const config = new ProtoWriter().message(1, new ProtoWriter().string(1, spec.name)).message(2, new ProtoWriter().string(1, spec.image));
  for (const word of spec.command) config.string(3, word);
  // CreateContainerRequest { pod_sandbox_id = 1, config = 2, sandbox_config = 3 }
  const create = new ProtoWriter().string(1, spec.sandboxId).message(2, config).message(3, podSandboxConfig(spec.sandboxName)).finish();
  const id = await call(endpoint, "CreateContainer", create, spec.name);
  // StartContainerRequest { container_id = 1 }
  await call(endpoint, "StartContainer", new ProtoWriter().string(1, id).finish(), spec.name);
  return id;
}
