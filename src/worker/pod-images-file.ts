// The images the node's pods name, read again once the scan has ended (ADR 0023). The manager
// listed them when it made this pod (`--pod-image`), but a scan can take hours: a pod bound to the
// node meanwhile that waits (an init container, a missing ConfigMap) has no container yet for the
// image it needs. Once the collector and the scanner have ended, the manager lists the node's pods
// again and sets the list as an annotation on this pod; the kubelet writes it into a downwardAPI
// file, which reads "" until then. The remover waits for it, and removes nothing without it.
import { readFileSync } from "node:fs";
import * as z from "../api/zod.ts";
import { podImagesAnnotation } from "../api/worker-contract.ts";
import { HandoffError } from "./handoff.ts";

const PodImagesSchema = z.array(z.string().check(z.minLength(1)));

/** The file's images, `undefined` while it is missing or empty (not set yet). */
export function readPodImagesFile(path: string): string[] | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8").trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  if (text === "") return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new HandoffError(`${path} (annotation ${podImagesAnnotation}) is not JSON: ${(error as Error).message}; removing nothing`, { cause: error });
  }
  const parsed = PodImagesSchema.safeParse(raw);
  if (!parsed.success) throw new HandoffError(`${path} (annotation ${podImagesAnnotation}) must be a JSON array of image names: ${z.prettifyError(parsed.error)}; removing nothing`);
  return parsed.data;
}

/** Waits for the file to be set; past `timeoutMs` the node removes nothing, as its pods' images are unknown. */
export async function waitForPodImagesFile(path: string, o: { timeoutMs: number; pollMs?: number }): Promise<string[]> {
  const deadline = Date.now() + o.timeoutMs;
  for (;;) {
    const images = readPodImagesFile(path);
    if (images !== undefined) return images;
    if (Date.now() > deadline) {
      const seconds = Math.round(o.timeoutMs / 1000);
      throw new HandoffError(`the manager did not say within ${seconds} s which images the node's pods name after the scan (annotation ${podImagesAnnotation}, file ${path}); removing nothing`);
    }
    await new Promise((resolve) => setTimeout(resolve, o.pollMs ?? 200));
  }
}
