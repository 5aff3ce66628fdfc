// Kubernetes resource quantities ("25Mi", "2Gi", "7m", "1000m", "500M", "1e3"), as numbers.

const suffixes: Record<string, number> = {
  "": 1,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const quantityPattern = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/;

/** Parses a quantity into a plain number (bytes for memory, cores for CPU). */
export function parseQuantity(text: string): number {
  const match = quantityPattern.exec(text.trim());
  if (match === null || text.trim() !== text) {
    throw new Error(`invalid quantity "${text}" (Kubernetes syntax, e.g. "25Mi", "2Gi", "7m", "1000m")`);
  }
  const [, mantissa = "0", exponent, suffix = ""] = match;
  const value = exponent === undefined ? Number(mantissa) * (suffixes[suffix] ?? 1) : Number(`${mantissa}${exponent}`);
  if (!Number.isFinite(value)) throw new Error(`invalid quantity "${text}": it is too large`);
  if (value < 0) throw new Error(`invalid quantity "${text}": it cannot be negative`);
  return value;
}
