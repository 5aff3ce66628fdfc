// What a manual job's ConfigMap carries to the nodes: the ImageList's images as a JSON array,
// readable with kubectl. An ImageList the API server stores can be larger than a ConfigMap may be
// (etcd takes ~1.5 MiB a request; a ConfigMap holds at most 1 MiB), so a list too large as text
// travels gzipped, as binaryData under the same key; the worker tells the two apart by gzip's
// first bytes, which no JSON text starts with (ADR 0025).
import { gzipSync } from "node:zlib";
import { imageListConfigMapKey } from "../api/worker-contract.ts";

/** The API server's limit on a ConfigMap's keys and values together (MaxSecretSize). */
export const configMapLimitBytes = 1024 * 1024;

export type ImageListPayload =
  | { kind: "text"; text: string; textBytes: number }
  | { kind: "gzip"; base64: string; gzipBytes: number; textBytes: number }
  | { kind: "too-large"; textBytes: number };

export function imageListPayload(images: readonly string[]): ImageListPayload {
  const text = JSON.stringify(images);
  const budget = configMapLimitBytes - Buffer.byteLength(imageListConfigMapKey);
  const textBytes = Buffer.byteLength(text);
  if (textBytes <= budget) return { kind: "text", text, textBytes };
  const gzipped = gzipSync(text, { level: 9 });
  // binaryData's size is counted as its bytes, not its base64.
  if (gzipped.length > budget) return { kind: "too-large", textBytes };
  return { kind: "gzip", base64: gzipped.toString("base64"), gzipBytes: gzipped.length, textBytes };
}

export type FittingPayload = Exclude<ImageListPayload, { kind: "too-large" }>;

/** The ConfigMap's content for a payload that fits. */
export function payloadContent(payload: FittingPayload): { data: Record<string, string> } | { binaryData: Record<string, string> } {
  return payload.kind === "text" ? { data: { [imageListConfigMapKey]: payload.text } } : { binaryData: { [imageListConfigMapKey]: payload.base64 } };
}

/** Why a list is not run, for the ImageList's status and its Event. */
export function tooLargeProblem(tooLargeBytes: number): string {
  return `the list is ${tooLargeBytes} bytes of JSON and more than ${configMapLimitBytes} bytes gzipped, the most a ConfigMap carries to the nodes; split it into smaller lists applied one after another`;
}
