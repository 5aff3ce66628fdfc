/** Time, injected, so schedules, timeouts and delays are testable without waiting. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
