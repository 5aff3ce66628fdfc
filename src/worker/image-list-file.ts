// The manual-mode image list file, as the job's ConfigMap mounts it: a JSON array of strings, or
// that text gzipped when the list was too large for a ConfigMap as text (ADR 0025).
import { readFileSync } from "node:fs";
import * as z from "../api/zod.ts";

/** gzip's magic bytes; a JSON text starts with "[" or white space, never with these. */
const isGzip = (bytes: Buffer): boolean => bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;

/** More than any ImageList the API server can store (etcd takes ~1.5 MiB a request): a bound, not a limit. */
const maxListBytes = 64 * 1024 * 1024;

function listText(path: string, bytes: Buffer): string {
  if (!isGzip(bytes)) return bytes.toString("utf8");
  // Loaded only for a gzipped list: a worker's start-up reads no more code than it needs.
  const { gunzipSync } = process.getBuiltinModule("node:zlib");
  try {
    return gunzipSync(bytes, { maxOutputLength: maxListBytes }).toString("utf8");
  } catch (error) {
    throw new Error(`image list ${path} is gzipped but cannot be unpacked: ${(error as Error).message}`, { cause: error });
  }
}

function readBytes(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new Error(`image list ${path} cannot be read: ${(error as Error).message}`, { cause: error });
  }
}

export function readImageListFile(path: string): string[] {
  const text = listText(path, readBytes(path));
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`image list ${path} cannot be read as JSON: ${(error as Error).message}`, { cause: error });
  }
  const parsed = z.array(z.string().check(z.minLength(1))).safeParse(raw);
  if (!parsed.success) throw new Error(`image list ${path} must be a JSON array of non-empty strings`);
  return parsed.data;
}
