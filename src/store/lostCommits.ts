// Repairs for commits the lease table lost while the journal kept them.
//
// A damaged newest slot (bad sector, a file restored from backup, a hand edit) makes readers fall
// back to the commit before it: every lease granted by the lost commit(s) would be free again, and
// granted to a second session. The journal knows them (fences beyond the surviving slot's), so
// they are rebuilt from it before anyone is granted anything.
import { AgentName, type JournalEntry, type Lease, type LeaseTableState } from '../core/model';

interface OpenLease {
  session: string;
  fence: number;
  acquiredAt: number;
  lastAt: number;
}

/**
 * Restores into `state` every lease the journal granted after `survivingFence` that is still live
 * (not released, expired or ended in the journal, within its TTL of its last renewal), with its
 * session when that is missing too. Returns the `recover` journal entries describing what it did.
 * Owner tokens are not journaled (capabilities): restored leases get new ones; the sessions
 * themselves, through their hooks, are unaffected.
 */
export function restoreLostGrants(
  state: LeaseTableState,
  journal: readonly JournalEntry[],
  opts: { survivingFence: number; now: number; ttlMs: number; newToken(): string },
): JournalEntry[] {
  const open = new Map<string, OpenLease>();
  const ended = new Set<string>();
  for (const e of journal) {
    if (e.op === 'session-start' && e.session) ended.delete(e.session);
    if (e.op === 'session-end' && e.session) ended.add(e.session);
    if (!e.key) continue;
    const cur = open.get(e.key);
    if (e.op === 'grant' && e.session && e.fence !== undefined) open.set(e.key, { session: e.session, fence: e.fence, acquiredAt: e.at, lastAt: e.at });
    else if (e.op === 'renew' && cur && cur.fence === e.fence) cur.lastAt = e.at;
    else if ((e.op === 'release' || e.op === 'expire') && cur && (e.fence === undefined || e.fence === cur.fence)) open.delete(e.key);
  }
  const recovered: JournalEntry[] = [];
  for (const [key, l] of open) {
    if (l.fence <= opts.survivingFence || ended.has(l.session)) continue;
    const expiresAt = l.lastAt + opts.ttlMs;
    if (expiresAt <= opts.now) continue;
    const present = state.leases[key];
    if (present && present.fence >= l.fence) continue;
    if (!state.sessions[l.session]) {
      const agent = AgentName.safeParse(l.session.split(':')[0]);
      state.sessions[l.session] = {
        id: l.session,
        agent: agent.success ? agent.data : 'custom',
        cwd: '',
        worktree: '',
        startedAt: l.acquiredAt,
        lastSeen: l.lastAt,
        source: 'hook',
        readOnly: false,
      };
    }
    const lease: Lease = { key, session: l.session, ownerToken: opts.newToken(), fence: l.fence, acquiredAt: l.acquiredAt, expiresAt };
    state.leases[key] = lease;
    state.fence = Math.max(state.fence, l.fence);
    recovered.push({ at: opts.now, op: 'recover', session: l.session, key, fence: l.fence, reason: 'lease of a lost commit (damaged newest state slot) rebuilt from the journal' });
  }
  return recovered;
}
