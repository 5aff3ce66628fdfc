// The images the node's pods name, as the manager listed them when it made this worker pod
// (`--pod-image`, ADR 0019). They are kept like images in use: a pod whose container for one does
// not exist yet (an init container still running, a missing ConfigMap, a restart to come) needs it
// on the node, and on a node that cannot pull (air-gapped, `imagePullPolicy: Never`) removing it
// breaks the pod.
import { compileImagePattern, type ImagePattern } from "../images/match.ts";
import type { Logger } from "../observability/logger.ts";

/**
 * A pattern for each named image. The API server accepts image names the runtime may spell
 * differently; one this worker cannot parse still protects any image known by exactly that text,
 * rather than nothing (when in doubt, keep).
 */
export function podImagePatterns(refs: readonly string[], logger: Logger): ImagePattern[] {
  return refs.map((ref) => {
    try {
      return compileImagePattern(ref);
    } catch (error) {
      logger.warn({ image: ref, reason: (error as Error).message }, "A pod's image name cannot be parsed; it protects images known by exactly that name");
      return verbatimPattern(ref);
    }
  });
}

function verbatimPattern(ref: string): ImagePattern {
  return { source: ref, matches: (image) => image.id === ref || image.repoTags.includes(ref) || image.repoDigests.includes(ref) };
}
