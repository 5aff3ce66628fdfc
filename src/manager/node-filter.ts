// Which nodes a job runs on: Eraser's node filter. Selectors are Kubernetes label-selector strings
// (`a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`, comma = AND). exclude: skip nodes
// matching any selector; include: only nodes matching any. The eraser.sh/cleanup.filter label
// always keeps a node out, whatever the type, and so does an OS other than Linux (runsLinux).
export type Labels = Readonly<Record<string, string>>;
type Requirement = (labels: Labels) => boolean;

export class SelectorError extends Error {
  override readonly name = "SelectorError";
}

const key = String.raw`[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?`;
const value = String.raw`[A-Za-z0-9]?([-A-Za-z0-9_.]*[A-Za-z0-9])?`;
const patterns: [RegExp, (m: RegExpExecArray) => Requirement][] = [
  [new RegExp(`^(${key})\\s*(==|=)\\s*(${value})$`), (m) => (l) => l[m[1] ?? ""] === (m[4] ?? "")],
  [new RegExp(`^(${key})\\s*!=\\s*(${value})$`), (m) => (l) => l[m[1] ?? ""] !== (m[3] ?? "")],
  [new RegExp(`^(${key})\\s+(in|notin)\\s*\\(([^)]*)\\)$`), setRequirement],
  [new RegExp(`^!\\s*(${key})$`), (m) => (l) => !Object.hasOwn(l, m[1] ?? "")],
  [new RegExp(`^(${key})$`), (m) => (l) => Object.hasOwn(l, m[1] ?? "")],
];

function setRequirement(m: RegExpExecArray): Requirement {
  const k = m[1] ?? "";
  const values = new Set((m[4] ?? "").split(",").map((v) => v.trim()).filter((v) => v !== ""));
  const has = (l: Labels): boolean => Object.hasOwn(l, k) && values.has(l[k] ?? "");
  return m[3] === "in" ? has : (l) => !has(l);
}

/** Splits at commas outside parentheses: `a in (x,y),b` -> [`a in (x,y)`, `b`]. */
function splitTerms(selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of selector) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      terms.push(current.trim());
      current = "";
    } else current += ch;
  }
  terms.push(current.trim());
  return terms;
}

export function compileSelector(selector: string): (labels: Labels) => boolean {
  const requirements = splitTerms(selector).map((term) => {
    for (const [pattern, make] of patterns) {
      const match = pattern.exec(term);
      if (match !== null) return make(match);
    }
    throw new SelectorError(`invalid node selector "${selector}": cannot parse "${term}"`);
  });
  return (labels) => requirements.every((r) => r(labels));
}

export const cleanupFilterLabel = "eraser.sh/cleanup.filter";

export interface NodeFilter {
  type: "exclude" | "include";
  selectors: readonly string[];
}

export const osLabel = "kubernetes.io/os";

/**
 * The worker is a Linux binary in Linux images, and finds the runtime at a Unix socket: on a node
 * whose kubelet says it runs another OS (an AKS Windows pool) its pod can only fail, after the pod
 * timeout, and fail the job with it. Eraser's shipped config leaves such nodes out with a
 * selector; a config without that selector, or an include filter that matches one, would not.
 * A node without the label (kubelets set it since 1.14) is taken for Linux.
 */
export const runsLinux = (labels: Labels): boolean => (labels[osLabel] ?? "linux") === "linux";

export function compileNodeFilter(filter: NodeFilter): (labels: Labels) => boolean {
  const selectors = filter.selectors.filter((s) => s !== cleanupFilterLabel).map(compileSelector);
  return (labels) => {
    if (Object.hasOwn(labels, cleanupFilterLabel) || !runsLinux(labels)) return false;
    const matches = selectors.some((s) => s(labels));
    return filter.type === "exclude" ? !matches : matches;
  };
}
