// Go duration strings ("24h", "1h30m", "500ms", "1.5h", "0s"), as Eraser's config writes them.

const unitMs: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  "µs": 1e-3,
  "μs": 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const term = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/** Parses a Go duration into milliseconds; throws an error naming the input. */
export function parseGoDuration(text: string): number {
  const fail = (problem: string): never => {
    throw new Error(`invalid duration "${text}": ${problem} (Go syntax, e.g. "24h", "1h30m", "500ms")`);
  };
  if (text === "0") return 0;
  if (text === "") fail("it is empty");
  if (text.startsWith("-")) fail("durations here cannot be negative");
  const body = text.startsWith("+") ? text.slice(1) : text;
  let total = 0;
  term.lastIndex = 0;
  while (term.lastIndex < body.length) {
    const start = term.lastIndex;
    const match = term.exec(body);
    if (match === null) return fail(`unexpected "${body.slice(start)}"`);
    total += Number(match[1]) * (unitMs[match[2] ?? ""] ?? Number.NaN);
  }
  if (!Number.isFinite(total)) fail("it is too large");
  return total;
}

/** Formats milliseconds the way Go prints a duration ("24h0m0s" becomes "24h"; "1h30m"). */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return "0s";
  if (ms < 1000) return `${ms}ms`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = (ms % 60_000) / 1000;
  return [hours > 0 ? `${hours}h` : "", minutes > 0 ? `${minutes}m` : "", seconds > 0 ? `${seconds}s` : ""].join("");
}
