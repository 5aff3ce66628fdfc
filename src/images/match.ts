// Matching a listed reference or an exclusion pattern against an image the runtime reports.
// Forms: an exact reference (normalised), an image ID or bare digest, `repo@sha256:...`,
// `prefix/*` (everything under a prefix) and `repo:*` (every tag of one repository). The `repo:*`
// form splits at the LAST colon, so `localhost:5000/app:*` means every tag of `localhost:5000/app`.
import type { ImageRecord } from "./record.ts";
import { ImageReferenceError, isImageId, parseImageReference } from "./reference.ts";

export interface ImagePattern {
  readonly source: string;
  matches(image: ImageRecord): boolean;
  /**
   * A key that an image this pattern matches has among its `imageKeys`, and no other image has,
   * so a large set finds the pattern by lookup (pattern-set.ts). Every form here has one; a
   * pattern without one would be tried one by one.
   */
  readonly key?: string;
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

/** The keys of an image, one per way a pattern can match it; see `ImagePattern.key`. */
export function imageKeys(image: ImageRecord): string[] {
  const keys = new Set([idKey(image.id)]);
  const names = new Set<string>();
  for (const ref of image.repoTags) {
    const parsed = tryParse(ref);
    if (parsed === undefined) continue;
    keys.add(tagKey(parsed.name, parsed.tag));
    names.add(parsed.name);
  }
  for (const ref of image.repoDigests) {
    const at = ref.lastIndexOf("@");
    if (at >= 0) keys.add(idKey(ref.slice(at + 1)));
    const parsed = tryParse(ref);
    if (parsed === undefined) continue;
    if (parsed.digest !== undefined) keys.add(digestKey(parsed.name, parsed.digest));
    names.add(parsed.name);
  }
  for (const name of names) {
    keys.add(repositoryKey(name));
    // Every prefix that ends at a "/": `docker.io/`, `docker.io/library/` for docker.io/library/nginx.
    for (let slash = name.indexOf("/"); slash >= 0; slash = name.indexOf("/", slash + 1)) keys.add(prefixKey(name.slice(0, slash + 1)));
  }
  return [...keys];
}

const idKey = (id: string): string => `id ${id}`;
const tagKey = (name: string, tag: string | undefined): string => `tag ${name}:${tag ?? ""}`;
const digestKey = (name: string, digest: string): string => `digest ${name}@${digest}`;
const repositoryKey = (name: string): string => `repository ${name}`;
/** `prefix` ends with "/". */
const prefixKey = (prefix: string): string => `prefix ${prefix}`;

function idPattern(id: string): ImagePattern {
  return {
    source: id,
    key: idKey(id),
    matches: (image) => image.id === id || image.repoDigests.some((ref) => ref.endsWith(`@${id}`)),
  };
}

function prefixPattern(pattern: string): ImagePattern {
  const base = pattern.slice(0, -2);
  if (base === "") throw new ImageReferenceError(pattern, `a prefix pattern needs a prefix before "/*"`);
  const prefix = `${normalizePrefix(pattern, base)}/`;
  return { source: pattern, key: prefixKey(prefix), matches: (image) => imageNames(image).some((name) => name.startsWith(prefix)) };
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
  return { source: pattern, key: repositoryKey(name), matches: (image) => imageNames(image).includes(name) };
}

function exactPattern(pattern: string): ImagePattern {
  const wanted = parseImageReference(pattern);
  return {
    source: pattern,
    key: wanted.digest !== undefined ? digestKey(wanted.name, wanted.digest) : tagKey(wanted.name, wanted.tag),
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
