// One log line per decision, as AKS users read them with `kubectl logs -c <container>`.
import type { Logger } from "../observability/logger.ts";
import type { Decision } from "./decide.ts";

export function logKept(logger: Logger, decision: Decision): void {
  for (const { image, reason, detail } of decision.kept) {
    // Images a list did not name are not news; everything else says why it stayed.
    const level = reason === "not-listed" ? "debug" : "info";
    logger[level]({ image: image.id, tags: image.repoTags, decision: "kept", reason, ...(detail === undefined ? {} : { pattern: detail }) }, `Kept image (${reason})`);
  }
}
