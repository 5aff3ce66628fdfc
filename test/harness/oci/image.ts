// OCI images from files, written as an OCI image layout tar that `ctr images import` accepts.
// Distinct file content gives distinct layers and so distinct image IDs; one tar can hold many
// images (one index entry each, named by the io.containerd.image.name annotation).
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { createTar, type TarEntry } from "./tar.ts";

export type FileContent = string | Buffer | { mode: number; content: string | Buffer } | { symlink: string };

export interface ImageSpec {
  /** Full lowercase reference, e.g. docker.io/library/test-a:1 */
  ref: string;
  files: Record<string, FileContent>;
  entrypoint?: string[];
  cmd?: string[];
  env?: string[];
  /** The image's USER, e.g. "65532:65532" (the runtime's default, root, without it). */
  user?: string;
}

export interface BuiltImage {
  ref: string;
  /** The image ID the runtime reports: the config digest. */
  id: string;
  manifestDigest: string;
  sizeBytes: number;
}

interface Blob {
  digest: string;
  data: Buffer;
}

const sha = (data: Buffer): string => `sha256:${createHash("sha256").update(data).digest("hex")}`;
const blob = (data: Buffer): Blob => ({ digest: sha(data), data });

function layerEntries(files: Record<string, FileContent>): TarEntry[] {
  const dirs = new Set<string>();
  const entries: TarEntry[] = [];
  for (const path of Object.keys(files).sort()) {
    const parts = path.replace(/^\//, "").split("/");
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join("/"));
  }
  for (const dir of [...dirs].sort()) entries.push({ path: `${dir}/`, type: "dir" });
  for (const [rawPath, value] of Object.entries(files).sort(([a], [b]) => a.localeCompare(b))) {
    const path = rawPath.replace(/^\//, "");
    if (typeof value === "object" && "symlink" in value) entries.push({ path, type: "symlink", linkTarget: value.symlink });
    else if (typeof value === "object" && "mode" in value) entries.push({ path, type: "file", mode: value.mode, content: Buffer.from(value.content) });
    else entries.push({ path, type: "file", content: Buffer.from(value) });
  }
  return entries;
}

function buildOne(spec: ImageSpec): { blobs: Blob[]; manifest: Blob; built: BuiltImage } {
  if (spec.ref !== spec.ref.toLowerCase()) throw new Error(`image names must be lowercase: ${spec.ref}`);
  const layer = blob(createTar(layerEntries(spec.files)));
  const config = blob(
    Buffer.from(
      JSON.stringify({
        architecture: "amd64",
        os: "linux",
        config: { Entrypoint: spec.entrypoint, Cmd: spec.cmd, Env: spec.env ?? ["PATH=/bin:/usr/bin"], User: spec.user },
        rootfs: { type: "layers", diff_ids: [layer.digest] },
      }),
    ),
  );
  const manifest = blob(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: config.digest, size: config.data.length },
        layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar", digest: layer.digest, size: layer.data.length }],
      }),
    ),
  );
  return {
    blobs: [layer, config],
    manifest,
    built: { ref: spec.ref, id: config.digest, manifestDigest: manifest.digest, sizeBytes: layer.data.length + config.data.length },
  };
}

/** Writes one OCI layout tar holding every image; returns what the runtime will report. */
export function buildImageLayout(specs: readonly ImageSpec[], tarPath: string): BuiltImage[] {
  const blobs = new Map<string, Buffer>();
  const index: object[] = [];
  const built: BuiltImage[] = [];
  for (const spec of specs) {
    const one = buildOne(spec);
    for (const b of [...one.blobs, one.manifest]) blobs.set(b.digest, b.data);
    index.push({
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      digest: one.manifest.digest,
      size: one.manifest.data.length,
      platform: { architecture: "amd64", os: "linux" },
      annotations: { "io.containerd.image.name": spec.ref, "org.opencontainers.image.ref.name": spec.ref },
    });
    built.push(one.built);
  }
  const entries: TarEntry[] = [
    { path: "oci-layout", type: "file", content: Buffer.from('{"imageLayoutVersion":"1.0.0"}') },
    { path: "index.json", type: "file", content: Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: index })) },
    { path: "blobs/", type: "dir" },
    { path: "blobs/sha256/", type: "dir" },
  ];
  for (const [digest, data] of blobs) entries.push({ path: `blobs/sha256/${digest.slice(7)}`, type: "file", content: data });
  writeFileSync(tarPath, createTar(entries));
  return built;
}
