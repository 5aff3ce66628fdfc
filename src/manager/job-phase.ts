// A job's outcome. Real division: Eraser's integer division made 272 of 273 healthy nodes 0%
// (eraser-dev/eraser#1163).
export interface JobCounts {
  desired: number;
  succeeded: number;
  failed: number;
  skipped: number;
}

export function successFraction(c: JobCounts): number {
  return c.desired === 0 ? 1 : (c.succeeded + c.skipped) / c.desired;
}

/** Running until every selected node has finished, then Completed or Failed by the ratio. */
export function jobPhase(c: JobCounts, successRatio: number): "Running" | "Completed" | "Failed" {
  if (c.succeeded + c.failed + c.skipped < c.desired) return "Running";
  return successFraction(c) >= successRatio ? "Completed" : "Failed";
}
