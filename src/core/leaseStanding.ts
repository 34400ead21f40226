// Whether a lease is in force: the one rule the lease table applies in every transaction and every
// reader (the coordinator's views, `lockstep status`) applies when it reads, so a dead agent's lease
// shows as free at once, not only after the next write to the store. Pure: liveness is injected.
import type { Lease, ProcessIdentity, Session } from './model';

/** Whether a session's agent process still runs. `unknown` (other host, no identity) defers to the TTL. */
export type ProcessVerdict = { state: 'alive' } | { state: 'dead'; reason: string } | { state: 'unknown' };

export type LeaseStanding =
  | { kind: 'in-force' }
  | { kind: 'expired' }
  /** Its holder's session ended (the lease table frees it at its next transaction). */
  | { kind: 'holder-ended'; reason: string }
  /** Its holder's agent process is gone on this machine. */
  | { kind: 'holder-dead'; reason: string };

export function leaseStanding(
  lease: Lease | Pick<Lease, 'expiresAt' | 'session'>,
  holder: Pick<Session, 'endedAt' | 'endReason' | 'process'> | undefined,
  now: number,
  processVerdict: (identity: ProcessIdentity) => ProcessVerdict,
): LeaseStanding {
  if (lease.expiresAt <= now) return { kind: 'expired' };
  if (holder?.endedAt !== undefined) return { kind: 'holder-ended', reason: holder.endReason ?? 'ended' };
  if (holder?.process) {
    const verdict = processVerdict(holder.process);
    if (verdict.state === 'dead') return { kind: 'holder-dead', reason: verdict.reason };
  }
  return { kind: 'in-force' };
}

/** Why a lease that is not in force is free, in words. */
export function freedBecause(standing: Exclude<LeaseStanding, { kind: 'in-force' }>): string {
  switch (standing.kind) {
    case 'expired':
      return 'expired';
    case 'holder-ended':
      return `holder session ended (${standing.reason})`;
    case 'holder-dead':
      return `holder's agent is gone (${standing.reason})`;
  }
}
