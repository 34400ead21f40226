// Lease rules: pure, synchronous operations on a draft of the lease table. No I/O: time, randomness,
// process liveness and glob matching are injected, so every rule is unit-testable in milliseconds.
// The store runs one LeaseTable per transaction and persists `state` and `journal` atomically.
import {
  DEFAULT_TTL_MS,
  ENDED_SESSION_RETENTION_MS,
  MAX_RECORDED_EDITS,
  type AgentName,
  type FactSource,
  type JournalEntry,
  type Lease,
  type LeaseTableState,
  type ProcessIdentity,
  type RecordedEdit,
  type Reservation,
  type Session,
} from './model';
import type { TaskRuntime } from './task';

import { leaseStanding, type ProcessVerdict } from './leaseStanding';
import { sameProcess } from './processIdentity';

export type { ProcessVerdict } from './leaseStanding';

export type ScopePolicy = 'deny' | 'warn' | 'off';

export interface RuleContext {
  now: number;
  ttlMs?: number;
  newToken(): string;
  processVerdict(identity: ProcessIdentity): ProcessVerdict;
  scopePolicy?: ScopePolicy;
}

export type DenialReason =
  | { kind: 'held'; lease: Lease; holder?: Session }
  | { kind: 'read-only'; session: string; task?: string }
  | { kind: 'reserved'; reservation: Reservation }
  | { kind: 'out-of-scope'; task: string; globs: string[] };

export interface Denial {
  key: string;
  reason: DenialReason;
}

export type AcquireOutcome =
  | { ok: true; leases: Lease[]; granted: string[]; renewed: string[]; warnings: string[] }
  | { ok: false; denials: Denial[] };

export type TokenOutcome = { ok: true; lease: Lease } | { ok: false; reason: string };

export interface SessionInit {
  id: string;
  agent: AgentName;
  cwd: string;
  worktree: string;
  task?: string;
  source?: FactSource;
  process?: ProcessIdentity;
  readOnly?: boolean;
}

const matcherCache = new Map<string, (path: string) => boolean>();
export function globsMatch(globs: readonly string[], key: string): boolean {
  return globs.some((g) => {
    let m = matcherCache.get(g);
    if (!m) {
      // Loaded at the first glob (reservations, claims of folders): most hook calls match none.
      const picomatch = require('picomatch') as typeof import('picomatch');
      m = picomatch(g, { dot: true });
      matcherCache.set(g, m);
    }
    return m(key);
  });
}

export class LeaseTable {
  readonly journal: JournalEntry[] = [];
  /** Set when `state` differs from what was read; the store skips the write otherwise. */
  changed = false;
  private readonly ttlMs: number;

  /** Verdicts asked in this transaction, by process: a session's leases share one process, asked once, not once a lease. */
  private readonly verdicts = new Map<string, ProcessVerdict>();

  constructor(
    readonly state: LeaseTableState,
    private readonly ctx: RuleContext,
  ) {
    this.ttlMs = ctx.ttlMs ?? DEFAULT_TTL_MS;
  }

  /** The process's verdict, asked of the context once per transaction (one instant: the answer cannot change within it). */
  private verdictOf(identity: ProcessIdentity): ProcessVerdict {
    const key = `${identity.pid}\u0000${identity.startTime}\u0000${identity.host}`;
    let v = this.verdicts.get(key);
    if (v === undefined) {
      v = this.ctx.processVerdict(identity);
      this.verdicts.set(key, v);
    }
    return v;
  }

  private log(entry: Omit<JournalEntry, 'at'>): void {
    this.journal.push({ at: this.ctx.now, ...entry });
  }

  private mark(): void {
    this.changed = true;
  }

  // ---- sessions -------------------------------------------------------------------------------

  /** Registers a session or refreshes it (lastSeen, and any identity it did not have yet). */
  touchSession(init: SessionInit): Session {
    const now = this.ctx.now;
    const existing = this.state.sessions[init.id];
    if (existing && existing.endedAt === undefined) {
      existing.lastSeen = now;
      if (init.process && !existing.process) existing.process = init.process;
      if (init.task && !existing.task) existing.task = init.task;
      if (init.readOnly) existing.readOnly = true;
      this.mark();
      return existing;
    }
    const session: Session = {
      id: init.id,
      agent: init.agent,
      cwd: init.cwd,
      worktree: init.worktree,
      task: init.task,
      startedAt: now,
      lastSeen: now,
      source: init.source ?? 'hook',
      process: init.process,
      readOnly: init.readOnly ?? false,
    };
    this.state.sessions[init.id] = session;
    this.log({ op: 'session-start', session: init.id });
    this.mark();
    return session;
  }

  /**
   * Ends a session and releases every lease it holds. `died`: the agent process is gone, so its
   * leases are journaled as expired (nobody released them) with the reason.
   */
  endSession(id: string, reason: string, opts: { died?: boolean } = {}): Lease[] {
    const session = this.state.sessions[id];
    const released = Object.values(this.state.leases).filter((l) => l.session === id);
    for (const lease of released) {
      if (opts.died) this.expire(lease, reason);
      else this.dropLease(lease, reason);
    }
    if (session && session.endedAt === undefined) {
      session.endedAt = this.ctx.now;
      session.endReason = reason;
      for (const r of Object.values(this.state.reservations)) {
        r.sessions = r.sessions.filter((s) => s !== id);
      }
      this.log({ op: 'session-end', session: id, reason });
      this.mark();
    }
    return released;
  }

  /**
   * Why a caller running as agent process `claimant` may not act for session `id`, or undefined when
   * it may: the session is unknown, ended, has no recorded process, was started by this very process,
   * or its recorded process has ended (an agent resuming its own session; the old one ends here).
   * Knowing a session's id is not enough to release, renew or take over its leases (DESIGN: owner).
   */
  impostorReason(id: string, claimant: ProcessIdentity | undefined): string | undefined {
    const session = this.liveSession(id);
    if (!session?.process) return undefined;
    const owner = session.process;
    if (sameProcess(claimant, owner)) return undefined;
    const verdict = this.verdictOf(owner);
    if (verdict.state === 'dead') {
      this.endSession(id, verdict.reason, { died: true });
      return undefined;
    }
    const reason = `session ${id} belongs to another agent process (pid ${owner.pid}${owner.host !== claimant?.host && claimant ? ` on ${owner.host}` : ''}); a call from ${claimant ? `pid ${claimant.pid}` : 'an unidentified process'} cannot act for it`;
    this.log({ op: 'refuse', session: id, reason: `claimed by ${claimant ? `pid ${claimant.pid}` : 'an unidentified process'}, not its agent process ${owner.pid}` });
    this.mark();
    return reason;
  }

  liveSession(id: string): Session | undefined {
    const s = this.state.sessions[id];
    return s && s.endedAt === undefined ? s : undefined;
  }

  // ---- expiry -----------------------------------------------------------------------------------

  /**
   * Expires leases past their TTL, and ends sessions holding leases whose agent process has ended
   * on this machine. Runs at the start of every transaction, so a dead holder never blocks anyone.
   * Sessions holding no lease are not checked here (a /proc read each, on every hook call); the
   * coordinator ends those within its poll interval, and a request meeting a dead holder's lease
   * checks it anyway (currentLease).
   */
  sweep(): void {
    const now = this.ctx.now;
    const holders = new Set<string>();
    for (const lease of Object.values(this.state.leases)) {
      if (lease.expiresAt <= now) this.expire(lease, 'ttl elapsed');
      else holders.add(lease.session);
    }
    for (const session of Object.values(this.state.sessions)) {
      if (session.endedAt !== undefined) {
        if (now - session.endedAt > ENDED_SESSION_RETENTION_MS) {
          delete this.state.sessions[session.id];
          this.mark();
        }
        continue;
      }
      if (!session.process || !holders.has(session.id)) continue;
      const verdict = this.verdictOf(session.process);
      if (verdict.state === 'dead') this.endSession(session.id, verdict.reason, { died: true });
    }
  }

  private expire(lease: Lease, reason: string): void {
    delete this.state.leases[lease.key];
    this.log({ op: 'expire', session: lease.session, key: lease.key, fence: lease.fence, reason });
    this.mark();
  }

  /** The lease on `key`, unless it is expired or its holder's agent has ended (then it is freed now). */
  private currentLease(key: string): Lease | undefined {
    const lease = this.state.leases[key];
    if (!lease) return undefined;
    const holder = this.state.sessions[lease.session];
    const standing = leaseStanding(lease, holder, this.ctx.now, (p) => this.verdictOf(p));
    switch (standing.kind) {
      case 'in-force':
        return lease;
      case 'expired':
        this.expire(lease, 'ttl elapsed');
        return undefined;
      case 'holder-ended':
        this.expire(lease, `holder session ended (${standing.reason})`);
        return undefined;
      case 'holder-dead':
        this.endSession(lease.session, standing.reason, { died: true });
        return undefined;
    }
  }

  // ---- acquire ----------------------------------------------------------------------------------

  /** Acquires (or renews) every key for the session, or none of them. */
  acquire(sessionId: string, keys: readonly string[], opts: { ttlMs?: number; task?: string; unconfirmed?: Lease['unconfirmed'] } = {}): AcquireOutcome {
    const session = this.liveSession(sessionId);
    const unique = [...new Set(keys)];
    const denials: Denial[] = [];
    const warnings: string[] = [];
    for (const key of unique) {
      const d = this.policyDenial(session, sessionId, key, warnings);
      if (d) denials.push(d);
    }
    if (denials.length > 0) {
      for (const d of denials) {
        this.log({
          op: 'deny',
          session: sessionId,
          key: d.key,
          reason: d.reason.kind,
          holder: d.reason.kind === 'held' ? d.reason.lease.session : undefined,
        });
      }
      this.mark();
      return { ok: false, denials };
    }
    const ttl = opts.ttlMs ?? this.ttlMs;
    const now = this.ctx.now;
    const leases: Lease[] = [];
    const granted: string[] = [];
    const renewed: string[] = [];
    for (const key of unique) {
      const own = this.state.leases[key];
      if (own && own.session === sessionId) {
        own.expiresAt = Math.max(own.expiresAt, now + ttl);
        this.log({ op: 'renew', session: sessionId, key, fence: own.fence });
        leases.push(own);
        renewed.push(key);
        continue;
      }
      this.state.fence += 1;
      const lease: Lease = {
        key,
        session: sessionId,
        ownerToken: this.ctx.newToken(),
        fence: this.state.fence,
        acquiredAt: now,
        expiresAt: now + ttl,
        task: opts.task ?? session?.task,
      };
      if (opts.unconfirmed) lease.unconfirmed = { ...opts.unconfirmed };
      this.state.leases[key] = lease;
      this.log({ op: 'grant', session: sessionId, key, fence: lease.fence });
      leases.push(lease);
      granted.push(key);
    }
    this.mark();
    return { ok: true, leases, granted, renewed, warnings };
  }

  private policyDenial(session: Session | undefined, sessionId: string, key: string, warnings: string[]): Denial | undefined {
    if (session?.readOnly) return { key, reason: { kind: 'read-only', session: sessionId, task: session.task } };
    const task = session?.task;
    // A session already holding the file finishes its edits there: a task started over it later
    // waits for the lease (its agent is told who holds it; the holder is told someone waits), so
    // denying the holder too would leave the file stuck until the lease ran out.
    const holdsIt = this.currentLease(key)?.session === sessionId;
    for (const r of Object.values(this.state.reservations)) {
      if (holdsIt || r.task === task || r.sessions.includes(sessionId)) continue;
      if (globsMatch(r.globs, key)) return { key, reason: { kind: 'reserved', reservation: r } };
    }
    const policy = this.ctx.scopePolicy ?? 'deny';
    if (task && policy !== 'off') {
      const own = this.state.reservations[task];
      if (own && !globsMatch(own.globs, key)) {
        if (policy === 'deny') return { key, reason: { kind: 'out-of-scope', task, globs: own.globs } };
        warnings.push(`${key} is outside task '${task}' scope (${own.globs.join(', ')})`);
      }
    }
    const lease = this.currentLease(key);
    if (lease && lease.session !== sessionId) {
      return { key, reason: { kind: 'held', lease, holder: this.state.sessions[lease.session] } };
    }
    return undefined;
  }

  // ---- token operations ---------------------------------------------------------------------------

  /** Renews a lease; refused unless `ownerToken` is the current holder's. */
  renew(key: string, ownerToken: string, ttlMs?: number): TokenOutcome {
    const lease = this.currentLease(key);
    if (!lease || lease.ownerToken !== ownerToken) {
      this.log({ op: 'refuse', key, reason: 'renew with a stale or wrong owner token' });
      this.mark();
      return { ok: false, reason: `${key}: not held with this owner token (the lease expired or belongs to someone else)` };
    }
    lease.expiresAt = Math.max(lease.expiresAt, this.ctx.now + (ttlMs ?? this.ttlMs));
    this.log({ op: 'renew', session: lease.session, key, fence: lease.fence });
    this.mark();
    return { ok: true, lease };
  }

  /** Releases a lease; refused unless `ownerToken` is the current holder's. */
  releaseWithToken(key: string, ownerToken: string): TokenOutcome {
    const lease = this.currentLease(key);
    if (!lease || lease.ownerToken !== ownerToken) {
      this.log({ op: 'refuse', key, reason: 'release with a stale or wrong owner token' });
      this.mark();
      return { ok: false, reason: `${key}: not held with this owner token (the lease expired or belongs to someone else)` };
    }
    this.dropLease(lease, 'released');
    return { ok: true, lease };
  }

  /**
   * Releases the session's own leases on these keys; keys it does not hold are reported, not touched.
   * The caller has established that it acts for the session (its owner token or agent process, or
   * the coordinator/scheduler on the task's behalf: then `reason` names that authority).
   */
  releaseBySession(sessionId: string, keys: readonly string[], reason = 'released'): { released: Lease[]; notHeld: string[] } {
    const released: Lease[] = [];
    const notHeld: string[] = [];
    for (const key of keys) {
      const lease = this.state.leases[key];
      if (lease && lease.session === sessionId) {
        this.dropLease(lease, reason);
        released.push(lease);
      } else notHeld.push(key);
    }
    return { released, notHeld };
  }

  releaseAllOf(sessionId: string, reason = 'released'): Lease[] {
    const released = Object.values(this.state.leases).filter((l) => l.session === sessionId);
    for (const lease of released) this.dropLease(lease, reason);
    return released;
  }

  /** A person overriding a lock (VS Code "Force Release Lock…", `lockstep release --force`). */
  forceRelease(key: string, by: string): Lease | undefined {
    const lease = this.state.leases[key];
    if (!lease) return undefined;
    this.dropLease(lease, `force-released by ${by}`);
    return lease;
  }

  private dropLease(lease: Lease, reason: string): void {
    delete this.state.leases[lease.key];
    this.log({ op: 'release', session: lease.session, key: lease.key, fence: lease.fence, reason });
    this.mark();
  }

  // ---- leases granted for an edit that may not happen ------------------------------------------------

  /** The edit of `key` happened: the session's lease on it stays like any other. */
  confirm(sessionId: string, key: string): void {
    const lease = this.state.leases[key];
    if (lease?.session !== sessionId || !lease.unconfirmed) return;
    delete lease.unconfirmed;
    this.mark();
  }

  /**
   * Releases the session's leases that were granted for an edit not confirmed since and that `match`
   * picks (the agent refused or failed that edit, or moved on without making it). Returns their keys.
   */
  releaseUnconfirmed(sessionId: string, match: (u: NonNullable<Lease['unconfirmed']>, key: string) => boolean, reason: string): string[] {
    const released: string[] = [];
    for (const lease of Object.values(this.state.leases)) {
      if (lease.session !== sessionId || !lease.unconfirmed || !match(lease.unconfirmed, lease.key)) continue;
      this.dropLease(lease, reason);
      released.push(lease.key);
    }
    return released;
  }

  // ---- edits and reservations ---------------------------------------------------------------------

  recordEdit(edit: Omit<RecordedEdit, 'at'>): void {
    this.state.edits.push({ ...edit, at: this.ctx.now });
    if (this.state.edits.length > MAX_RECORDED_EDITS) {
      this.state.edits.splice(0, this.state.edits.length - MAX_RECORDED_EDITS);
    }
    this.log({ op: 'edit', session: edit.session, key: edit.key });
    this.mark();
  }

  reserve(reservation: Omit<Reservation, 'createdAt'>): void {
    this.state.reservations[reservation.task] = { ...reservation, createdAt: this.ctx.now };
    this.log({ op: 'reserve', reason: `${reservation.task}: ${reservation.globs.join(', ')}` });
    this.mark();
  }

  /** Records a task's run-time state (status, branch, worktree…), journaled as `task`. */
  setTask(runtime: TaskRuntime): void {
    this.state.tasks[runtime.id] = runtime;
    this.log({ op: 'task', reason: `${runtime.id}: ${runtime.state.status}` });
    this.mark();
  }

  unreserve(task: string): void {
    if (!this.state.reservations[task]) return;
    delete this.state.reservations[task];
    this.log({ op: 'unreserve', reason: task });
    this.mark();
  }
}
