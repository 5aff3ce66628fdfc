// Matching a listed reference or an exclusion pattern against an image the runtime reports.
// Forms: an exact reference (normalised), an image ID or bare digest, `repo@sha256:...`,
// `prefix/*` (everything under a prefix) and `repo:*` (every tag of one repository). The `repo:*`
// form splits at the LAST colon, so `localhost:5000/app:*` means every tag of `localhost:5000/app`.
import type { ImageRecord } from "./record.ts";
import { ImageReferenceError, isImageId, parseImageReference } from "./reference.ts";

export interface ImagePattern {
  readonly source: string;
  matches(image: ImageRecord): boolean;
}

export function compileImagePattern(pattern: string): ImagePattern {
  if (pattern === "*") {
    throw new ImageReferenceError(pattern, `"*" alone is the prune marker of an image list, not a pattern`);
  }
  if (isImageId(pattern)) return idPattern(pattern);
  if (pattern.endsWith("/*")) return prefixPattern(pattern);
  if (pattern.endsWith(":*")) return repositoryPattern(pattern);
  return exactPattern(pattern);
}

export function findMatchingPattern(patterns: readonly ImagePattern[], image: ImageRecord): ImagePattern | undefined {
  return patterns.find((pattern) => pattern.matches(image));
}

/** The repository names (`registry/repo`) an image is known by, from its tags and digests. */
export function imageNames(image: ImageRecord): string[] {
  const names = new Set<string>();
  for (const ref of [...image.repoTags, ...image.repoDigests]) {
    const parsed = tryParse(ref);
    if (parsed !== undefined) names.add(parsed.name);
  }
  return [...names];
}

function tryParse(ref: string): ReturnType<typeof parseImageReference> | undefined {
  try {
    return parseImageReference(ref);
  } catch {
    return undefined;
  }
}

function idPattern(id: string): ImagePattern {
  return {
    source: id,
    matches: (image) => image.id === id || image.repoDigests.some((ref) => ref.endsWith(`@${id}`)),
  };
}

function prefixPattern(pattern: string): ImagePattern {
  const base = pattern.slice(0, -2);
  if (base === "") throw new ImageReferenceError(pattern, `a prefix pattern needs a prefix before "/*"`);
  const prefix = `${normalizePrefix(pattern, base)}/`;
  return { source: pattern, matches: (image) => imageNames(image).some((name) => name.startsWith(prefix)) };
}

/** `docker.io/library`, `library` and `quay.io/org` as the runtime would spell them. */
function normalizePrefix(pattern: string, base: string): string {
  // A registry alone (`docker.io/*`, `localhost:5000/*`) is its own prefix: no `library/` added.
  if (!base.includes("/") && (/[.:]/.test(base) || base === "localhost")) return base;
  try {
    // A probe name under the prefix shows where the registry ends and how the path is spelled.
    const probe = parseImageReference(`${base}/x`);
    return probe.name.slice(0, -2);
  } catch (error) {
    throw new ImageReferenceError(pattern, `"${base}" is not a valid repository prefix`, { cause: error });
  }
}

function repositoryPattern(pattern: string): ImagePattern {
  const base = pattern.slice(0, -2);
  let name: string;
  try {
    const parsed = parseImageReference(base);
    if (parsed.digest !== undefined || base.endsWith(`:${parsed.tag ?? ""}`)) throw new Error("has a tag or digest");
    name = parsed.name;
  } catch (error) {
    throw new ImageReferenceError(pattern, `"${base}" is not a repository name`, { cause: error });
  }
  return { source: pattern, matches: (image) => imageNames(image).includes(name) };
}

function exactPattern(pattern: string): ImagePattern {
  const wanted = parseImageReference(pattern);
  return {
    source: pattern,
    matches(image) {
      if (wanted.digest !== undefined) {
        return image.repoDigests.some((ref) => {
          const parsed = tryParse(ref);
          return parsed?.name === wanted.name && parsed.digest === wanted.digest;
        });
      }
      return image.repoTags.some((ref) => {
        const parsed = tryParse(ref);
        return parsed?.name === wanted.name && parsed.tag === wanted.tag;
      });
    },
  };
}
