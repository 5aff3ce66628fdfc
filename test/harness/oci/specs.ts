// Ready-made image specs for tests: a runnable busybox image, distinct small images, the pause
// image, and the trivy-flaggable Alpine 3.9 image (openssl 1.1.1b-r1, musl 1.1.20-r4) beside a
// clean one.
import { readFileSync } from "node:fs";
import { bin } from "../paths.ts";
import type { ImageSpec } from "./image.ts";

let busyboxBinary: Buffer | undefined;
const busybox = (): Buffer => (busyboxBinary ??= readFileSync(bin.busybox));

/** A runnable image: Debian's static busybox as /bin/sh and friends, plus a marker file. */
export function busyboxImage(ref: string, marker = ref): ImageSpec {
  return {
    ref,
    files: {
      "/bin/busybox": { mode: 0o755, content: busybox() },
      "/bin/sh": { symlink: "busybox" },
      "/bin/sleep": { symlink: "busybox" },
      "/bin/echo": { symlink: "busybox" },
      "/bin/cat": { symlink: "busybox" },
      "/etc/marker": marker,
    },
    entrypoint: ["/bin/sh", "-c"],
    cmd: ["echo hello from $(cat /etc/marker)"],
  };
}

/** A tiny image that differs from every other by its marker (not runnable). */
export function markerImage(ref: string, marker = ref): ImageSpec {
  return { ref, files: { "/marker": marker } };
}

/** A pause image; a marker gives another image ID (another release of pause). */
export function pauseImage(ref: string, marker?: string): ImageSpec {
  const files: ImageSpec["files"] = { "/pause": { mode: 0o755, content: readFileSync(bin.pause) } };
  if (marker !== undefined) files["/etc/marker"] = marker;
  return { ref, files, entrypoint: ["/pause"] };
}

const apkInstalled = `C:Q1
P:musl
V:1.1.20-r4
A:x86_64
o:musl
m:Timo Teräs <timo.teras@iki.fi>
t:1554916412

C:Q1
P:libssl1.1
V:1.1.1b-r1
A:x86_64
o:openssl
m:Timo Teras <timo.teras@iki.fi>
t:1554916412

`;

/** Trivy flags this: Alpine 3.9 (end of life) with vulnerable musl and openssl packages. */
export function vulnerableAlpineImage(ref: string): ImageSpec {
  return {
    ref,
    files: {
      "/etc/eraser-ts-marker": ref,
      "/etc/alpine-release": "3.9.4\n",
      "/etc/os-release": 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.9.4\nPRETTY_NAME="Alpine Linux v3.9"\n',
      "/lib/apk/db/installed": apkInstalled,
    },
  };
}

/** No OS package database: trivy finds nothing to report. */
export function cleanImage(ref: string): ImageSpec {
  return { ref, files: { "/app/README": `clean image ${ref}\n` } };
}

/**
 * An empty but valid Java archive: the end-of-central-directory record alone. trivy's jar analyzer
 * runs for any `.jar`, and needs trivy's Java DB before it reads one.
 */
const emptyJar = Buffer.concat([Buffer.from("PK\x05\x06", "latin1"), Buffer.alloc(18)]);

/** No OS package database, one Java archive: trivy judges it only with its Java DB. */
export function jarImage(ref: string): ImageSpec {
  return { ref, files: { "/app/README": `java image ${ref}\n`, "/app/lib/app.jar": emptyJar } };
}
