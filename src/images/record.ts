/** An image as the container runtime reports it over the CRI (ListImages). */
export interface ImageRecord {
  /** The image ID, `sha256:<hex>` (the config digest). */
  id: string;
  /** Normalised `registry/repo:tag` names. */
  repoTags: readonly string[];
  /** Normalised `registry/repo@sha256:<hex>` names. */
  repoDigests: readonly string[];
  /** The runtime asks that this image never be garbage collected. */
  pinned: boolean;
  sizeBytes: number;
}
