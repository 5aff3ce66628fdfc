// Who may hold the Lease: a pure decision from the Lease's fields and the clock.
export interface LeaseView {
  holderIdentity?: string | undefined;
  renewTimeMs?: number | undefined;
  leaseDurationSeconds?: number | undefined;
}

export type LeaseDecision = "renew" | "acquire" | "wait";

export function decideLease(lease: LeaseView, identity: string, nowMs: number): LeaseDecision {
  const holder = lease.holderIdentity ?? "";
  if (holder === identity) return "renew";
  if (holder === "") return "acquire";
  const expiresAt = (lease.renewTimeMs ?? 0) + (lease.leaseDurationSeconds ?? 15) * 1000;
  return nowMs >= expiresAt ? "acquire" : "wait";
}
