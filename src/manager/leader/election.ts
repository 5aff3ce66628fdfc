// Leader election on a coordination.k8s.io/v1 Lease, so two replicas are safe: only the holder
// runs the controllers. Updates use the Lease's resourceVersion (a lost race is a 409, not two
// leaders). A leader that has not renewed within two thirds of the lease duration (the renew
// deadline, as client-go's 10 s of 15 s) steps down, before another may take the Lease; one that
// shuts down clears the holder so another takes over at once. `mayAct` fences the controllers: a
// process that was paused (a frozen VM, a starved cgroup) past its renew deadline resumes with its
// watch events queued, and acted on them, a pod made while another held the Lease, before its next
// renewal told it it had lost.
import { V1MicroTime, type V1Lease, type V1LeaseSpec } from "@kubernetes/client-node";
import type { Apis } from "../../k8s/client.ts";
import { describeError, isConflict, isNotFound } from "../../k8s/errors.ts";
import type { Logger } from "../../observability/logger.ts";
import type { Clock } from "../clock.ts";
import { decideLease } from "./lease.ts";

export interface ElectionOptions {
  apis: Apis;
  namespace: string;
  leaseName: string;
  identity: string;
  leaseDurationMs?: number;
  retryPeriodMs?: number;
  clock: Clock;
  logger: Logger;
  /** `mayAct`: true while this term's last renewal is inside the renew deadline; ask before each write. */
  onStartedLeading: (signal: AbortSignal, mayAct: () => boolean) => void;
  onStoppedLeading: () => void;
  signal: AbortSignal;
}

function view(lease: V1Lease): { holderIdentity: string | undefined; renewTimeMs: number | undefined; leaseDurationSeconds: number | undefined } {
  const renew = lease.spec?.renewTime;
  return { holderIdentity: lease.spec?.holderIdentity, renewTimeMs: renew === undefined ? undefined : new Date(renew).getTime(), leaseDurationSeconds: lease.spec?.leaseDurationSeconds };
}

/** Lease times are MicroTime: the API server refuses client-node's default millisecond format. */
function leaseSpec(holder: string, durationS: number, acquire: number, renew: number, transitions: number): V1LeaseSpec {
  return { holderIdentity: holder, leaseDurationSeconds: durationS, acquireTime: new V1MicroTime(acquire), renewTime: new V1MicroTime(renew), leaseTransitions: transitions };
}

async function tryHold(o: ElectionOptions, durationS: number): Promise<boolean> {
  const { coordination } = o.apis;
  const now = new Date(o.clock.now());
  let lease: V1Lease;
  try {
    lease = await coordination.readNamespacedLease({ name: o.leaseName, namespace: o.namespace });
  } catch (error) {
    if (!isNotFound(error)) throw error;
    const spec = leaseSpec(o.identity, durationS, now.getTime(), now.getTime(), 0);
    await coordination.createNamespacedLease({ namespace: o.namespace, body: { metadata: { name: o.leaseName, namespace: o.namespace }, spec } });
    return true;
  }
  const decision = decideLease(view(lease), o.identity, now.getTime());
  if (decision === "wait") return false;
  const transitions = lease.spec?.leaseTransitions ?? 0;
  const acquired = lease.spec?.acquireTime === undefined ? now.getTime() : new Date(lease.spec.acquireTime).getTime();
  const spec = decision === "acquire" ? leaseSpec(o.identity, durationS, now.getTime(), now.getTime(), transitions + 1) : leaseSpec(o.identity, durationS, acquired, now.getTime(), transitions);
  await coordination.replaceNamespacedLease({ name: o.leaseName, namespace: o.namespace, body: { ...lease, spec } });
  return true;
}

async function release(o: ElectionOptions): Promise<void> {
  try {
    const lease = await o.apis.coordination.readNamespacedLease({ name: o.leaseName, namespace: o.namespace });
    if (lease.spec?.holderIdentity !== o.identity) return;
    const spec = lease.spec;
    const at = (t: Date | undefined): number => (t === undefined ? 0 : new Date(t).getTime());
    const released = leaseSpec("", spec.leaseDurationSeconds ?? 15, at(spec.acquireTime), at(spec.renewTime), spec.leaseTransitions ?? 0);
    await o.apis.coordination.replaceNamespacedLease({ name: o.leaseName, namespace: o.namespace, body: { ...lease, spec: released } });
  } catch (error) {
    o.logger.warn({ err: describeError(error) }, "Could not release the leader Lease");
  }
}

async function attempt(o: ElectionOptions, durationMs: number): Promise<"held" | "lost" | "error"> {
  try {
    return (await tryHold(o, Math.ceil(durationMs / 1000))) ? "held" : "lost";
  } catch (error) {
    // A lost update race means someone else holds it now; anything else may pass.
    if (isConflict(error)) return "lost";
    o.logger.warn({ err: describeError(error) }, "Leader election request failed");
    return "error";
  }
}

export async function runLeaderElection(o: ElectionOptions): Promise<void> {
  const durationMs = o.leaseDurationMs ?? 15_000;
  const retryMs = o.retryPeriodMs ?? Math.max(500, Math.floor(durationMs / 5));
  const renewDeadlineMs = Math.max(retryMs, Math.floor((durationMs * 2) / 3));
  let leading: AbortController | undefined;
  /** When the last renewal that held was sent: the Lease's renewTime is no later. */
  let lastRenewMs = 0;
  const stepDown = (why: string): void => {
    if (leading === undefined) return;
    o.logger.warn({ identity: o.identity, why }, "Stopped leading");
    leading.abort();
    leading = undefined;
    o.onStoppedLeading();
  };
  while (!o.signal.aborted) {
    const sentMs = o.clock.now();
    const outcome = await attempt(o, durationMs);
    if (outcome === "held") {
      lastRenewMs = sentMs;
      if (leading === undefined) {
        const term = new AbortController();
        leading = term;
        o.logger.info({ identity: o.identity, lease: o.leaseName }, "Started leading");
        o.onStartedLeading(term.signal, () => !term.signal.aborted && o.clock.now() - lastRenewMs < renewDeadlineMs);
      }
    } else if (outcome === "lost") {
      stepDown("another replica holds the Lease");
    } else if (o.clock.now() - lastRenewMs >= renewDeadlineMs) {
      stepDown("could not renew the Lease in time");
    }
    await new Promise((r) => setTimeout(r, retryMs));
  }
  if (leading !== undefined) {
    await release(o);
    stepDown("shutting down");
  }
}
