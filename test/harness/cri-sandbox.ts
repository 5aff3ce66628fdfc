// Starts a pod sandbox straight through the CRI, as a kubelet would, on a private containerd that
// has no kubelet. The worker's own CRI client stays read-and-remove only.
import { Client, credentials, Metadata } from "@grpc/grpc-js";
import { ProtoWriter, fieldString, readFields } from "../../src/cri/protobuf.ts";

/** NamespaceMode NODE: the sandbox shares the host's network, so no CNI is involved. */
const namespaceModeNode = 2;

/** RunPodSandboxRequest { PodSandboxConfig config = 1 }: metadata = 1 {name, uid, namespace}, linux = 8 {security_context = 2 {namespace_options = 1 {network = 1}}}. */
function runPodSandboxRequest(name: string): Buffer {
  const metadata = new ProtoWriter().string(1, name).string(2, `uid-${name}`).string(3, "default");
  const namespaces = new ProtoWriter().uint(1, namespaceModeNode);
  const linux = new ProtoWriter().message(2, new ProtoWriter().message(1, namespaces));
  return new ProtoWriter().message(1, new ProtoWriter().message(1, metadata).message(8, linux)).finish();
}

/** Runs a host-network pod sandbox with the runtime's sandbox image; resolves to its ID. */
export function runPodSandbox(endpoint: string, name: string): Promise<string> {
  const client = new Client(endpoint.replace(/^unix:\/\//, "unix:"), credentials.createInsecure());
  return new Promise<string>((resolve, reject) => {
    client.makeUnaryRequest(
      "/runtime.v1.RuntimeService/RunPodSandbox",
      (b: Buffer) => b,
      (b: Buffer) => b,
      runPodSandboxRequest(name),
      new Metadata(),
      { deadline: Date.now() + 60_000 },
      (error, reply) => {
        if (error !== null) reject(new Error(`RunPodSandbox ${name} at ${endpoint}: ${error.message}`));
        else resolve(fieldString(readFields(reply ?? Buffer.alloc(0)), 1));
      },
    );
  }).finally(() => {
    client.close();
  });
}
