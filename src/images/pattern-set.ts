// A list of patterns that answers "which pattern, if any, matches this image" without trying each
// one: an ImageList of 16,000 references against a node's 500 images took the remover 23 s of CPU
// one by one (its flags: interpreter only), and ~0.2 s by lookup. Every pattern form has a key
// (match.ts `key`) and an image lists the keys it can be matched by; a pattern without a key is
// tried in order. The answer is the first pattern in list order that matches, as a search in
// order gives it.
import type { ImagePattern } from "./match.ts";
import { imageKeys } from "./match.ts";
import type { ImageRecord } from "./record.ts";

export class PatternSet {
  readonly #patterns: readonly ImagePattern[];
  /** key → the position of the first pattern with it. */
  readonly #byKey = new Map<string, number>();
  /** Positions of the patterns without a key, in order. */
  readonly #unkeyed: number[] = [];

  constructor(patterns: readonly ImagePattern[]) {
    this.#patterns = patterns;
    patterns.forEach((pattern, position) => {
      if (pattern.key === undefined) this.#unkeyed.push(position);
      else if (!this.#byKey.has(pattern.key)) this.#byKey.set(pattern.key, position);
    });
  }

  get size(): number {
    return this.#patterns.length;
  }

  /** The first pattern, in list order, that matches the image. */
  find(image: ImageRecord): ImagePattern | undefined {
    let first = this.#byKey.size === 0 ? Infinity : this.#firstKeyed(image);
    for (const position of this.#unkeyed) {
      if (position >= first) break;
      if (this.#patterns[position]?.matches(image) === true) first = position;
    }
    return first === Infinity ? undefined : this.#patterns[first];
  }

  #firstKeyed(image: ImageRecord): number {
    let first = Infinity;
    for (const key of imageKeys(image)) {
      const position = this.#byKey.get(key);
      if (position !== undefined && position < first) first = position;
    }
    return first;
  }
}
