// Logs what an informer's keeper could not read, once per object and problem: a kubelet rewrites
// its Node's status every few minutes, and at 5,000 nodes a warning per update would bury every
// other line of the manager's log.
import type { Logger } from "../observability/logger.ts";
import type { KeepProblem } from "./keep.ts";

/** Problems remembered before the log forgets them all and may say each once more. */
const remembered = 10_000;

export class KeepProblemLog {
  readonly #logger: Logger;
  readonly #said = new Set<string>();

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  readonly report = (problem: KeepProblem): void => {
    const key = "refused" in problem ? `${problem.name}\n${problem.refused}` : `${problem.name}\n${problem.unread.join("\n")}`;
    if (this.#said.has(key)) return;
    if (this.#said.size >= remembered) this.#said.clear();
    this.#said.add(key);
    if ("refused" in problem) this.#logger.warn({ object: problem.name, problem: problem.refused }, "Ignoring an object without the fields the manager reads");
    else this.#logger.warn({ object: problem.name, unread: problem.unread }, "Keeping an object with fields of a shape the manager does not read; it goes on without them, as if they were not set");
  };
}
