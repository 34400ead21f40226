// The embedded store: files under `<git common dir>/lockstep/`, no daemon. Every transaction takes
// the cross-process file lock, reads the newest commit of the lease table, applies the lease rules,
// commits the new table into the other slot file (one in-place write + fdatasync, see stateFile.ts),
// then appends its journal lines. The table is committed first, so a fence in the journal was
// always committed, and a crash between the two loses journal lines, never state (a fence is
// therefore never issued twice).
//
// Journal durability without a second fsync: the journal lines of ownership transactions (grant,
// release, expire, session end, reservations) are also committed inside the table's slot, in
// StoreMeta.pending, until the journal is fsync'd (every PENDING_LIMIT entries, or on rotation).
// Only a machine crash loses appended-but-unsynced lines (a killed process does not: they are in
// the page cache), so the first transaction after a restart (a new boot id) appends those pending
// entries the journal lost. Observations (denials, renewals, lastSeen, edits) are not pending: a
// power loss may forget them, never corrupt anything (a forgotten renewal can only make a lease
// expire sooner, and a power loss has ended every holder on this machine anyway).
//
// The store lock is held for the read, the rules, one sync and an append: under a millisecond here
// (test/bench/leaseThroughput.bench.ts).
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { LeaseTable, type ProcessVerdict, type RuleContext } from '../core/leaseTable';
import { DEFAULT_TTL_MS, emptyState, type JournalEntry, type JournalOp, type LeaseTableState, type ProcessIdentity } from '../core/model';
import { processVerdict as agentProcessVerdict } from '../process/processLiveness';
import { acquireFileLock, LockTimeoutError, sleepSync, type LockOptions } from './fileLock';
import { fileSystemRefusal, statfsType } from './fileSystemKind';
import { appendJournal, appendUnjournaled, journalSize, readJournalFile, readWholeJournal, restorePendingEntries, rotateJournal, type JournalRead } from './journalFile';
import { restoreLostGrants } from './lostCommits';
import { syncData } from './durableFile';
import { machineBootId } from '../process/processTable';
import type { LeaseStore } from './leaseStore';
import { readStoreConfig, writeStoreConfig, type StoreConfig } from './storeConfig';
import { commitSlot, EMPTY_META, encodeSlot, readNewestSlot, type StateRead, type StoreMeta } from './stateFile';
import { DOCTOR_HINT, StoreCorruptError, StoreError } from './storeErrors';
import { storePaths, type StorePaths } from './storePaths';
import { injectStoreFault } from './storeFault';

export interface EmbeddedStoreOptions {
  lockTimeoutMs?: number;
  /** Liveness of session processes (default: process/processLiveness.ts). */
  processVerdict?: (identity: ProcessIdentity) => ProcessVerdict;
  now?: () => number;
  /** Journal rotation threshold (default 16 MiB). */
  journalRotateBytes?: number;
}

/** Journal entries committed in the table (StoreMeta.pending) before the journal is fsync'd. */
const PENDING_LIMIT = 32;

/**
 * Lock-free reads that find both slots mid-write retry for this long: a reader descheduled on a loaded
 * machine can see two writes in a row several times; only a table that stays unreadable is reported.
 */
const LOCK_FREE_READ_MS = 1000;

/** Journal operations that change who owns what: their entries stay pending in the table until the journal is synced. */
export const OWNERSHIP_OPS: ReadonlySet<JournalOp> = new Set<JournalOp>(['grant', 'release', 'expire', 'session-end', 'reserve', 'unreserve', 'recover']);

export function newOwnerToken(): string {
  return randomBytes(16).toString('hex');
}

export class EmbeddedStore implements LeaseStore {
  readonly paths: StorePaths;

  constructor(
    commonDir: string,
    private readonly opts: EmbeddedStoreOptions = {},
  ) {
    this.paths = storePaths(commonDir);
  }

  get dir(): string {
    return this.paths.dir;
  }

  config(): StoreConfig {
    try {
      return readStoreConfig(this.paths.config);
    } catch (e) {
      throw new StoreError(`${(e as Error).message}; fix or delete it`);
    }
  }

  setConfig(config: StoreConfig): void {
    writeStoreConfig(this.paths.config, config);
  }

  /**
   * The current state, read without the store lock. A writer may be mid-way through its double
   * write; a reader that finds neither file whole (it was slow enough to see two writes) retries.
   */
  read(): LeaseTableState {
    const start = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        const read = this.readWithBody();
        // A fallen-back read may be stale: this reader can be held up between its reads of the two
        // slots while a writer commits twice, and then finds the older slot intact and the other one
        // half rewritten, older than what it returned a moment ago. A writer rewrites a slot within
        // milliseconds, so read again; only a slot that stays damaged (a crash's) is read past.
        if (!read.fellBack || read.legacy || Date.now() - start > LOCK_FREE_READ_MS) return read.state;
      } catch (e) {
        if (!(e instanceof StoreCorruptError) || Date.now() - start > LOCK_FREE_READ_MS) throw e;
      }
      sleepSync(Math.min(2 * attempt, 20));
    }
  }

  stateStamp(): string {
    return this.paths.slots
      .map((f) => {
        const st = fs.statSync(f, { throwIfNoEntry: false });
        return st ? `${st.ino}:${st.size}:${st.mtimeMs}` : 'absent';
      })
      .join('|');
  }

  /** The newest commit ('' body and slot 1 when there is none yet, so the first commit goes to slot 0). */
  private readWithBody(): StateRead {
    const found = readNewestSlot(this.paths);
    if (found) return found;
    if (this.hasJournal()) {
      throw new StoreCorruptError(`the lease table (${this.paths.slots.join(', ')}) is missing but the journal has history; ${DOCTOR_HINT} to rebuild it`);
    }
    return { body: '', state: emptyState(), seq: 0, meta: EMPTY_META, slot: 1 };
  }

  private hasJournal(): boolean {
    for (const f of [this.paths.journal, this.paths.journalRotated]) {
      try {
        if (fs.statSync(f).size > 0) return true;
      } catch {
        /* absent */
      }
    }
    return false;
  }

  readJournal(fromOffset = 0): JournalRead {
    return readJournalFile(this.paths.journal, fromOffset);
  }

  ruleContext(config: StoreConfig): RuleContext {
    return {
      now: this.opts.now?.() ?? Date.now(),
      ttlMs: config.ttlSeconds !== undefined ? config.ttlSeconds * 1000 : undefined,
      newToken: newOwnerToken,
      processVerdict: this.opts.processVerdict ?? agentProcessVerdict,
      scopePolicy: config.scopePolicy,
    };
  }

  transact<T>(fn: (table: LeaseTable) => T): T {
    const lockOpts: LockOptions = { timeoutMs: this.opts.lockTimeoutMs };
    let held;
    try {
      held = acquireFileLock(this.paths.lock, lockOpts);
    } catch (e) {
      if (e instanceof LockTimeoutError) throw new StoreError(`${e.message}; ${DOCTOR_HINT}`);
      throw e;
    }
    try {
      const config = this.config();
      const read = this.readWithBody();
      const boot = machineBootId();
      const { state, body } = read;
      const restarted = body !== '' && read.meta.boot !== boot;
      if (restarted) state.fence = Math.max(state.fence, this.recoverJournalAfterRestart(read.meta));
      else if (read.meta.appendCount) {
        // The previous writer may have been killed between its commit and its journal append.
        appendUnjournaled(this.paths.journal, read.meta.appendFrom ?? 0, read.meta.pending.slice(-read.meta.appendCount));
      }
      const rules = this.ruleContext(config);
      let recovered: JournalEntry[] = [];
      if (read.fellBack) {
        // Only a commit whose slot is damaged after it was journaled could have issued higher fences;
        // its grants are rebuilt from the journal, so no key it leased is granted twice.
        const journal = readWholeJournal(this.paths.journal, this.paths.journalRotated).entries;
        recovered = restoreLostGrants(state, journal, { survivingFence: state.fence, now: rules.now, ttlMs: rules.ttlMs ?? DEFAULT_TTL_MS, newToken: newOwnerToken });
        state.fence = Math.max(state.fence, maxFence(journal));
      }
      const seenBefore = new Map(Object.values(state.sessions).map((s) => [s.id, s.lastSeen]));
      const table = new LeaseTable(state, rules);
      table.journal.push(...recovered);
      table.sweep();
      const result = fn(table);
      // A denial changes no lease: it is only recorded (see onlyObservedDenials). A damaged slot, or
      // the first commit after a restart, is written at once so later transactions skip the checks.
      if ((table.changed && !onlyObservedDenials(table, body, seenBefore)) || read.fellBack || restarted) {
        const durable = table.journal.some((e) => OWNERSHIP_OPS.has(e.op));
        const meta = this.nextMeta(read, boot, durable ? table.journal : []);
        meta.appendFrom = journalSize(this.paths.journal);
        meta.appendCount = durable ? table.journal.length : 0;
        commitSlot(this.paths, read.slot === 0 ? 1 : 0, encodeSlot(table.state, read.seq + 1, meta).content);
        injectStoreFault('after-commit');
        if (read.legacy) fs.rmSync(this.paths.legacy, { force: true }); // superseded by the slot just written
      }
      appendJournal(this.paths.journal, table.journal);
      return result;
    } finally {
      // (Syncing the commit after releasing the lock, with the next writer syncing it before
      // overwriting the other slot, measured slower here: 8 processes 174-227 vs 237-278 grants/s.)
      held.release();
    }
  }

  /**
   * transact() for a request that contention usually denies (an agent's pre-edit hook, `lockstep
   * claim`): `fn` first runs on a snapshot read without the store lock. When all it did was be
   * denied (or nothing changed), the denial is journaled and returned without taking the lock;
   * otherwise `fn` runs again in a transaction. The snapshot is a commit that was the newest at
   * some instant during the call, so a denial from it is one a transaction could have given then.
   * Waiting out the lock holder only to be denied would otherwise cost every waiter, the holder
   * included, a lock hand-off. `fn` must have no effect outside the table: it may run twice.
   */
  transactUnlessDenied<T>(fn: (table: LeaseTable) => T): T {
    let read: StateRead;
    try {
      read = this.readWithBody();
    } catch {
      return this.transact(fn); // reported (or repaired) under the lock
    }
    // Snapshots needing repair, or the first commit after a restart, go through the lock.
    if (read.body === '' || read.fellBack || read.legacy || read.meta.boot !== machineBootId()) return this.transact(fn);
    const seenBefore = new Map(Object.values(read.state.sessions).map((s) => [s.id, s.lastSeen]));
    const table = new LeaseTable(read.state, this.ruleContext(this.config()));
    table.sweep();
    const result = fn(table);
    if (!table.changed) return result;
    if (!onlyObservedDenials(table, read.body, seenBefore)) return this.transact(fn);
    // Whole lines with O_APPEND: concurrent appends under the lock never interleave with this one.
    appendJournal(this.paths.journal, table.journal, { checkTornLine: false });
    return result;
  }

  /**
   * After a machine restart, lines appended to the journal but not yet on disk may be lost.
   * Restores the pending entries the journal lost, and returns the highest fence the journal shows
   * past its synced part (the table's fence must never fall below a journaled one).
   */
  private recoverJournalAfterRestart(meta: StoreMeta): number {
    restorePendingEntries(this.paths.journal, meta.journalSyncedTo, meta.pending);
    const size = journalSize(this.paths.journal);
    return maxFence(readJournalFile(this.paths.journal, meta.journalSyncedTo <= size ? meta.journalSyncedTo : 0).entries);
  }

  /** The bookkeeping for the next commit: rotates or syncs the journal when due, adds `durable` entries as pending. */
  private nextMeta(read: StateRead, boot: string, durable: readonly JournalEntry[]): StoreMeta {
    const restarted = read.meta.boot !== boot;
    if (rotateJournal(this.paths.journal, this.paths.journalRotated, this.opts.journalRotateBytes)) {
      return { boot, journalSyncedTo: 0, pending: [...durable] };
    }
    // After a restart the pending entries were just restored (synced): start a new list.
    if (restarted || read.meta.pending.length + durable.length > PENDING_LIMIT) {
      if (!restarted) syncData(this.paths.journal);
      return { boot, journalSyncedTo: journalSize(this.paths.journal), pending: [...durable] };
    }
    return { boot, journalSyncedTo: read.meta.journalSyncedTo, pending: durable.length === 0 ? read.meta.pending : [...read.meta.pending, ...durable] };
  }
}

function maxFence(entries: readonly JournalEntry[]): number {
  return entries.reduce((m, e) => Math.max(m, e.fence ?? 0), 0);
}

/** How stale a denied session's lastSeen may get before a denial rewrites state.json anyway. */
const LAST_SEEN_SLACK_MS = 10_000;

/**
 * True when the transaction only denied or refused (journal ops `deny`/`refuse`) and the state differs
 * from the file only by sessions' lastSeen moving less than LAST_SEEN_SLACK_MS. Such a transaction
 * need not rewrite state.json: a session hammering a held file would otherwise rewrite (and fsync)
 * the table on every attempt, holding the lock the holder needs to release it. Any doubt (a key
 * order that differs from the file, a new session) falls back to the full write.
 */
export function onlyObservedDenials(table: LeaseTable, body: string, seenBefore: ReadonlyMap<string, number>): boolean {
  if (body === '' || table.journal.length === 0 || !table.journal.every((e) => e.op === 'deny' || e.op === 'refuse')) return false;
  const sessions = Object.values(table.state.sessions);
  const restore: Array<[LeaseTableState['sessions'][string], number]> = [];
  try {
    for (const s of sessions) {
      const before = seenBefore.get(s.id);
      if (before === undefined || s.lastSeen - before > LAST_SEEN_SLACK_MS) return false;
      if (s.lastSeen !== before) {
        restore.push([s, s.lastSeen]);
        s.lastSeen = before;
      }
    }
    return JSON.stringify(table.state) === body;
  } finally {
    for (const [s, v] of restore) s.lastSeen = v;
  }
}

/**
 * Opens (creating its folder if needed) the store of the repository whose git common dir is
 * `commonDir`. Throws a one-line StoreError on network/FUSE file systems.
 */
export function openEmbeddedStore(commonDir: string, opts: EmbeddedStoreOptions = {}): EmbeddedStore {
  const store = new EmbeddedStore(commonDir, opts);
  try {
    fs.mkdirSync(store.dir, { recursive: true });
  } catch (e) {
    throw new StoreError(`cannot create the store folder ${store.dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const refusal = fileSystemRefusal(statfsType(store.dir), store.dir);
  if (refusal) throw new StoreError(refusal);
  return store;
}
