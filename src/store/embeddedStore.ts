// The embedded store: files under `<git common dir>/lockstep/`, no daemon. Every transaction takes
// the cross-process file lock, reads state.json, applies the lease rules, and persists atomically
// (temp file + fsync + rename + folder fsync), then appends the journal lines (fsync). State is
// written first, so a fence in the journal was always committed, and a crash between the two loses
// journal lines, never state (a fence is therefore never issued twice).
//
// Durability: transactions that change ownership (grant, release, expire, session end, reservations)
// fsync the state file, its folder and the journal before returning. Transactions that only record
// observations or extend a lease (denials, refusals, lastSeen, edits, renewals) fsync the state file
// before the rename (so a torn state.json can never appear) but skip the folder and journal fsyncs:
// a power loss may forget them, never corrupt anything. (A forgotten renewal can only make a lease
// expire sooner, and a power loss has ended every holder on this machine anyway.) This keeps the
// common hook call — renew on every tool call — and busy denial loops from saturating the disk.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { LeaseTable, type ProcessVerdict, type RuleContext } from '../core/leaseTable';
import { emptyState, LeaseTableState, type JournalOp, type ProcessIdentity } from '../core/model';
import { processVerdict as agentProcessVerdict } from '../agents/agentProcess';
import { writeFileAtomic } from './durableFile';
import { acquireFileLock, LockTimeoutError, type LockOptions } from './fileLock';
import { fileSystemRefusal, statfsType } from './fileSystemKind';
import { appendJournal, readJournalFile, type JournalRead } from './journalFile';
import type { LeaseStore } from './leaseStore';
import { readStoreConfig, writeStoreConfig, type StoreConfig } from './storeConfig';
import { parseStateFile, sealState } from './stateFile';
import { DOCTOR_HINT, StoreCorruptError, StoreError } from './storeErrors';
import { storePaths, type StorePaths } from './storePaths';

export interface EmbeddedStoreOptions {
  lockTimeoutMs?: number;
  /** Liveness of session processes (default: agents/agentProcess.ts). */
  processVerdict?: (identity: ProcessIdentity) => ProcessVerdict;
  now?: () => number;
  /** Journal rotation threshold (default 16 MiB). */
  journalRotateBytes?: number;
}

/** Journal operations that change who owns what: their transactions are fully durable. */
export const OWNERSHIP_OPS: ReadonlySet<JournalOp> = new Set<JournalOp>(['grant', 'release', 'expire', 'session-end', 'reserve', 'unreserve', 'recover']);

export function newOwnerToken(): string {
  return randomBytes(16).toString('hex');
}

/** Parses state.json text; throws StoreCorruptError naming the problem and `lockstep doctor`. */
export function parseStateText(text: string, file: string): LeaseTableState {
  return parseStateFile(text, file).state;
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

  read(): LeaseTableState {
    let text: string;
    try {
      text = fs.readFileSync(this.paths.state, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new StoreError(`${this.paths.state}: ${(e as Error).message}; ${DOCTOR_HINT}`);
      if (this.hasJournal()) {
        throw new StoreCorruptError(`${this.paths.state} is missing but the journal has history; ${DOCTOR_HINT} to rebuild it`);
      }
      return emptyState();
    }
    return parseStateText(text, this.paths.state);
  }

  /** The parsed state and its unsealed JSON ('' when there is no file yet). */
  private readWithBody(): { body: string; state: LeaseTableState } {
    let text: string;
    try {
      text = fs.readFileSync(this.paths.state, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new StoreError(`${this.paths.state}: ${(e as Error).message}; ${DOCTOR_HINT}`);
      return { body: '', state: this.read() };
    }
    return parseStateFile(text, this.paths.state);
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
      const { body, state } = this.readWithBody();
      const seenBefore = new Map(Object.values(state.sessions).map((s) => [s.id, s.lastSeen]));
      const table = new LeaseTable(state, this.ruleContext(config));
      table.sweep();
      const result = fn(table);
      if (table.changed && onlyObservedDenials(table, body, seenBefore)) {
        // A denial changes no lease: record it, and leave state.json alone (see onlyObservedDenials).
        appendJournal(this.paths.journal, this.paths.journalRotated, table.journal, { rotateBytes: this.opts.journalRotateBytes, sync: false });
      } else if (table.changed) {
        const durable = table.journal.some((e) => OWNERSHIP_OPS.has(e.op));
        writeFileAtomic(this.paths.state, sealState(table.state).content, { syncDir: durable });
        appendJournal(this.paths.journal, this.paths.journalRotated, table.journal, { rotateBytes: this.opts.journalRotateBytes, sync: durable });
      }
      return result;
    } finally {
      held.release();
    }
  }
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
function onlyObservedDenials(table: LeaseTable, body: string, seenBefore: ReadonlyMap<string, number>): boolean {
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
