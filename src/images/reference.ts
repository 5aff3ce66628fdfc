// Image references, parsed and normalised the way container runtimes do (the distribution
// reference grammar): `nginx` is `docker.io/library/nginx:latest`, a registry is recognised by a
// dot, a port or the name `localhost`, and a digest keeps its reference tag-less.

export interface ImageReference {
  /** Registry host[:port], e.g. `docker.io`, `localhost:5000`. */
  registry: string;
  /** Repository path without the registry, e.g. `library/nginx`. */
  repository: string;
  /** `<registry>/<repository>`. */
  name: string;
  tag?: string;
  digest?: string;
}

export class ImageReferenceError extends Error {
  override readonly name = "ImageReferenceError";
  readonly input: string;
  constructor(input: string, problem: string, options?: ErrorOptions) {
    super(`invalid image reference "${input}": ${problem}`, options);
    this.input = input;
  }
}

const defaultRegistry = "docker.io";
const pathComponent = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const hostComponent = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)$/;
const tagPattern = /^\w[\w.-]{0,127}$/;
const digestPattern = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-fA-F0-9]{32,}$/;
const imageIdPattern = /^sha256:[a-f0-9]{64}$/;

/** A bare image ID or digest: `sha256:<64 lowercase hex>`. */
export function isImageId(text: string): boolean {
  return imageIdPattern.test(text);
}

export function parseImageReference(input: string): ImageReference {
  const text = input.trim();
  if (text === "") throw new ImageReferenceError(input, "it is empty");
  if (text !== input) throw new ImageReferenceError(input, "it has leading or trailing white space");
  if (isImageId(text)) throw new ImageReferenceError(input, "it is an image ID, not a reference (use isImageId)");
  const { remainder, digest } = splitDigest(input, text);
  const { remainder: nameText, tag } = splitTag(input, remainder);
  if (nameText.length > 255) throw new ImageReferenceError(input, "the name is longer than 255 characters");
  const { registry, path } = splitRegistry(nameText);
  checkRegistry(input, registry);
  const repository = registry === defaultRegistry && !path.includes("/") ? `library/${path}` : path;
  checkRepository(input, repository);
  const reference: ImageReference = { registry, repository, name: `${registry}/${repository}` };
  if (tag !== undefined) reference.tag = tag;
  if (digest !== undefined) reference.digest = digest;
  if (tag === undefined && digest === undefined) reference.tag = "latest";
  return reference;
}

/** The canonical string of a reference, as the runtime lists it; image IDs pass unchanged. */
export function normalizeImageReference(input: string): string {
  if (isImageId(input)) return input;
  return formatImageReference(parseImageReference(input));
}

export function formatImageReference(reference: ImageReference): string {
  const tag = reference.tag === undefined ? "" : `:${reference.tag}`;
  const digest = reference.digest === undefined ? "" : `@${reference.digest}`;
  return `${reference.name}${tag}${digest}`;
}

function splitDigest(input: string, text: string): { remainder: string; digest?: string } {
  const at = text.indexOf("@");
  if (at === -1) return { remainder: text };
  const digest = text.slice(at + 1);
  if (!digestPattern.test(digest)) {
    throw new ImageReferenceError(input, `"${digest}" is not a digest (expected algorithm:hex, e.g. sha256:<64 hex>)`);
  }
  if (digest.startsWith("sha256:") && !/^sha256:[a-f0-9]{64}$/.test(digest)) {
    throw new ImageReferenceError(input, "a sha256 digest has exactly 64 lowercase hex characters");
  }
  return { remainder: text.slice(0, at), digest };
}

function splitTag(input: string, text: string): { remainder: string; tag?: string } {
  const colon = text.lastIndexOf(":");
  // A colon before the last slash belongs to a registry port, not a tag.
  if (colon === -1 || colon < text.lastIndexOf("/")) return { remainder: text };
  const tag = text.slice(colon + 1);
  if (!tagPattern.test(tag)) throw new ImageReferenceError(input, `"${tag}" is not a valid tag`);
  return { remainder: text.slice(0, colon), tag };
}

function splitRegistry(name: string): { registry: string; path: string } {
  const slash = name.indexOf("/");
  if (slash === -1) return { registry: defaultRegistry, path: name };
  const first = name.slice(0, slash);
  const looksLikeHost = first.includes(".") || first.includes(":") || first === "localhost" || first !== first.toLowerCase();
  if (!looksLikeHost) return { registry: defaultRegistry, path: name };
  const registry = first === "index.docker.io" ? defaultRegistry : first;
  return { registry, path: name.slice(slash + 1) };
}

function checkRegistry(input: string, registry: string): void {
  const [host = "", port, ...rest] = registry.split(":");
  const hostOk = host.split(".").every((part) => hostComponent.test(part));
  const portOk = port === undefined || /^\d{1,5}$/.test(port);
  if (!hostOk || !portOk || rest.length > 0) throw new ImageReferenceError(input, `"${registry}" is not a valid registry host`);
}

function checkRepository(input: string, repository: string): void {
  for (const component of repository.split("/")) {
    if (component === "") throw new ImageReferenceError(input, "the repository has an empty path component");
    if (component !== component.toLowerCase()) {
      throw new ImageReferenceError(input, "repository names must be lowercase (runtimes refuse upper case)");
    }
    if (!pathComponent.test(component)) {
      throw new ImageReferenceError(input, `"${component}" is not a valid repository path component`);
    }
  }
}
