// Cross-process mutual exclusion for the embedded store, on a local file system, synchronous.
//
// Protocol
//  1. Acquire: create `<lock>` with O_CREAT|O_EXCL and write {pid, startTime, host, nonce, at} into it.
//     The kernel guarantees one creator wins. Losers back off (Atomics.wait, exponential, jittered)
//     (capped at a few ms: transactions are short, and a long sleep idles the lock) until a deadline,
//     then fail with LockTimeoutError (callers say "run `lockstep doctor`").
//  2. Release: read `<lock>`; unlink it only if it still carries our nonce.
//  3. A lock whose holder is dead — same host and (pid gone, zombie, or pid reused: start time from
//     /proc/<pid>/stat field 22 plus the boot id differs) — or whose content is unparsable and older
//     than UNPARSABLE_STALE_MS (holder died between create and write), is broken like this:
//       a. create `<lock>.breaker` with O_EXCL (only one breaker at a time);
//       b. re-read `<lock>`: unlink it only if it is byte-identical (same inode, same content, hence
//          same nonce) to the one judged dead, and still judged dead;
//       c. unlink the breaker (only if it still carries our nonce).
//     Without (a)+(b), two waiters that both saw the dead lock could each unlink: the second would
//     remove the fresh lock a third process created in between. With them, the second breaker
//     re-reads, sees a new nonce, and leaves it alone.
//  4. A breaker file left by a breaker that died is removed when its holder is dead, or it is
//     unparsable and older than UNPARSABLE_STALE_MS (again re-checking its content right before unlinking).
//  5. Waiting: one waiter at a time is "on deck" (it created `<lock>.next` with O_EXCL) and polls
//     the lock often; the others back off further. The marker only shapes who polls how often:
//     mutual exclusion rests on `<lock>` alone, and a marker left by a dead waiter is broken as in 3.
//
// Residual risks (documented, not solved)
//  - POSIX has no compare-and-unlink: between the re-check in 3b/4 and unlink there is a window of a
//    few microseconds. It matters only if, inside it, the dead lock is removed *and* recreated by
//    others — which needs a second breaker, excluded by the breaker file. Removing a dead breaker (4)
//    has the same window without a third-level lock; a breaker must die mid-break for it to matter.
//  - A holder on another host (a store shared over a network file system, refused at open) or in
//    another pid namespace (a container sharing the folder) cannot be checked: its lock is never
//    broken automatically; the wait times out and `lockstep doctor` reports it.
//  - A holder that is alive but stopped (SIGSTOP) or hung keeps the lock: waiters time out instead of
//    breaking a live holder's lock (that would allow two writers). Transactions hold the lock for
//    milliseconds, and leases (not this lock) carry the long-lived ownership.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { identifyProcess, processVerdict } from '../process/processLiveness';
import type { ProcessVerdict } from '../core/leaseTable';
import type { ProcessIdentity } from '../core/model';

/** Whether the lock holder still runs; `unknown` says why it cannot be judged. */
export type HolderState = Exclude<ProcessVerdict, { state: 'unknown' }> | { state: 'unknown'; reason: string };

/** The same identity sessions record for their agents (pid + start time + host), for this process. */
let self: Omit<ProcessIdentity, 'command'> | undefined;
function selfIdentity(): Omit<ProcessIdentity, 'command'> {
  if (!self) {
    const id = identifyProcess(process.pid);
    // Unsupported OS: no start time; the pid alone is checked (see holderState).
    self = { pid: process.pid, startTime: id?.startTime ?? '', host: id?.host ?? os.hostname() };
  }
  return self;
}

function holderState(record: LockRecord): HolderState {
  if (record.host !== os.hostname()) return { state: 'unknown', reason: `held from another host (${record.host})` };
  try {
    process.kill(record.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return { state: 'dead', reason: `process ${record.pid} has exited` };
  }
  if (!record.startTime) return { state: 'alive' };
  const v = processVerdict({ pid: record.pid, startTime: record.startTime, host: record.host });
  return v.state === 'unknown' ? { state: 'unknown', reason: `process ${record.pid} cannot be checked from here` } : v;
}

export const UNPARSABLE_STALE_MS = 2000;
export const DEFAULT_LOCK_TIMEOUT_MS = 10_000;

export interface LockRecord {
  pid: number;
  startTime: string;
  host: string;
  nonce: string;
  at: number;
}

export class LockTimeoutError extends Error {
  override readonly name = 'LockTimeoutError';
}

interface Observed {
  raw: string;
  ino: number;
  mtimeMs: number;
  record?: LockRecord;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
export function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

function parseRecord(raw: string): LockRecord | undefined {
  try {
    const v = JSON.parse(raw) as Partial<LockRecord>;
    if (typeof v.pid === 'number' && typeof v.nonce === 'string' && typeof v.host === 'string' && typeof v.startTime === 'string') {
      return { pid: v.pid, nonce: v.nonce, host: v.host, startTime: v.startTime, at: typeof v.at === 'number' ? v.at : 0 };
    }
  } catch {
    /* unparsable */
  }
  return undefined;
}

function observe(file: string): Observed | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    const st = fs.fstatSync(fd);
    const raw = fs.readFileSync(fd, 'utf8');
    return { raw, ino: st.ino, mtimeMs: st.mtimeMs, record: parseRecord(raw) };
  } finally {
    fs.closeSync(fd);
  }
}

export type LockCondition =
  | { kind: 'free' }
  | { kind: 'held'; record: LockRecord; ageMs: number; holder: HolderState }
  | { kind: 'dead'; record: LockRecord; ageMs: number; reason: string }
  | { kind: 'unparsable'; ageMs: number; stale: boolean };

function conditionOf(o: Observed | undefined, now: number): LockCondition {
  if (!o) return { kind: 'free' };
  const ageMs = Math.max(0, now - o.mtimeMs);
  if (!o.record) return { kind: 'unparsable', ageMs, stale: ageMs > UNPARSABLE_STALE_MS };
  const holder = holderState(o.record);
  if (holder.state === 'dead') return { kind: 'dead', record: o.record, ageMs, reason: holder.reason };
  return { kind: 'held', record: o.record, ageMs, holder };
}

function breakable(c: LockCondition): boolean {
  return c.kind === 'dead' || (c.kind === 'unparsable' && c.stale);
}

/** What a lock file says right now (for `lockstep doctor` and error messages). */
export function inspectLock(file: string): LockCondition {
  return conditionOf(observe(file), Date.now());
}

function newRecord(): LockRecord {
  return { ...selfIdentity(), nonce: randomBytes(8).toString('hex'), at: Date.now() };
}

/** Creates `file` exclusively with our record; false when it exists. */
function tryCreate(file: string, record: LockRecord): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_WRONLY, 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    fs.writeSync(fd, JSON.stringify(record));
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

function sameFile(a: Observed, b: Observed): boolean {
  return a.ino === b.ino && a.raw === b.raw;
}

/** Unlinks `file` if it is still exactly `seen` and still breakable. */
function unlinkIfUnchanged(file: string, seen: Observed): boolean {
  const again = observe(file);
  if (!again || !sameFile(again, seen) || !breakable(conditionOf(again, Date.now()))) return false;
  try {
    fs.unlinkSync(file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

/** The record in `file` from one read (a record is a few hundred bytes): cheaper than observe() on the release path every transaction takes. */
function recordIn(file: string): LockRecord | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    const buf = Buffer.alloc(1024);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    return parseRecord(buf.toString('utf8', 0, n));
  } finally {
    fs.closeSync(fd);
  }
}

function releaseOwn(file: string, nonce: string): boolean {
  if (recordIn(file)?.nonce !== nonce) return false;
  try {
    fs.unlinkSync(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * Breaks `lockFile` if it is the dead lock `seen`, under the breaker lock. Returns true when it
 * removed it. Never removes a lock that changed since it was judged dead.
 */
function breakDeadLock(lockFile: string, seen: Observed): boolean {
  const breaker = `${lockFile}.breaker`;
  const mine = newRecord();
  if (!tryCreate(breaker, mine)) {
    const b = observe(breaker);
    if (b && breakable(conditionOf(b, Date.now()))) unlinkIfUnchanged(breaker, b);
    return false;
  }
  try {
    return unlinkIfUnchanged(lockFile, seen);
  } finally {
    releaseOwn(breaker, mine.nonce);
  }
}

export interface LockOptions {
  timeoutMs?: number;
}

export interface HeldLock {
  readonly file: string;
  readonly record: LockRecord;
  release(): void;
}

/** Locks younger than this are not inspected while waiting (see acquireFileLock). */
const HOLDER_CHECK_GRACE_MS = 50;
// Waiting tuned with test/bench/leaseThroughput.bench.ts (8 processes, 2 cores): every poll
// wakes a process that competes with the holder for a CPU, and the holder then runs up to 3x
// slower. The waiter on deck polling every 0.1 ms with the others backing off to 4 ms gave
// 205-273 grants/s; every 1 ms with back-off to 16-40 ms, 280-360.
/** How often the waiter on deck looks at the lock: transactions hold it for about a millisecond. */
const ON_DECK_POLL_MS = 1;
/** The other waiters' back-off range (ms; each sleep is jittered up to twice the current value). */
const BACKOFF_MIN_MS = 1;
const BACKOFF_MAX_MS = 16;

/** Age of a lock file, or undefined when there is none (no exception: this runs in a poll loop). */
function lockAgeMs(file: string): number | undefined {
  const st = fs.statSync(file, { throwIfNoEntry: false });
  return st ? Math.max(0, Date.now() - st.mtimeMs) : undefined;
}

/**
 * The "on deck" marker `<lock>.next`: of all waiters, the one that created it polls the lock every
 * ON_DECK_POLL_MS and takes it within a fraction of a millisecond of its release; the others back
 * off for milliseconds and leave the CPU to the holder. (Eight waiters polling finely on two cores
 * slow the holder down more than they gain.) The marker is only a hint: any waiter still takes the
 * free lock when it looks, and a marker whose creator died is broken like a dead lock.
 */
class OnDeck {
  private record: LockRecord | undefined;

  constructor(private readonly file: string) {}

  get mine(): boolean {
    return this.record !== undefined;
  }

  /** Takes the marker if it is free, breaking it first if its creator is dead. */
  tryTake(): boolean {
    if (this.record) return true;
    // A stat first: failing O_EXCL creates throw, and throwing on every poll costs CPU.
    const age = lockAgeMs(this.file);
    if (age === undefined) {
      const record = newRecord();
      if (tryCreate(this.file, record)) this.record = record;
    } else if (age > HOLDER_CHECK_GRACE_MS) {
      const seen = observe(this.file);
      if (seen && breakable(conditionOf(seen, Date.now()))) breakDeadLock(this.file, seen);
    }
    return this.record !== undefined;
  }

  release(): void {
    if (this.record) releaseOwn(this.file, this.record.nonce);
    this.record = undefined;
  }
}

export function acquireFileLock(lockFile: string, opts: LockOptions = {}): HeldLock {
  const deadline = Date.now() + (opts.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS);
  const record = newRecord();
  const onDeck = new OnDeck(`${lockFile}.next`);
  let delay = BACKOFF_MIN_MS;
  /** Sleeps before the next look: briefly when on deck and the holder is mid-transaction. */
  const pause = (young: boolean): void => {
    if (young && onDeck.mine) return sleepSync(ON_DECK_POLL_MS);
    sleepSync(delay + Math.random() * delay);
    delay = Math.min(delay * 2, BACKOFF_MAX_MS);
  };
  try {
    for (;;) {
      if (tryCreate(lockFile, record)) {
        return { file: lockFile, record, release: () => void releaseOwn(lockFile, record.nonce) };
      }
      onDeck.tryTake();
      // A young lock is almost surely a live holder mid-transaction: judging its holder (read the
      // record, /proc) on every poll, or hammering O_EXCL creates, costs the CPU the holder needs to
      // finish. Waiters only stat the file until it is gone; a lock older than the grace period is
      // inspected, so a dead holder is still detected within ~GRACE ms.
      let age = lockAgeMs(lockFile);
      while (age !== undefined && age < HOLDER_CHECK_GRACE_MS) {
        if (Date.now() >= deadline) throw new LockTimeoutError(describeStuck(lockFile, inspectLock(lockFile)));
        pause(true);
        age = lockAgeMs(lockFile);
        if (!onDeck.mine && age !== undefined) onDeck.tryTake();
      }
      if (age === undefined) {
        delay = BACKOFF_MIN_MS;
        continue;
      }
      const seen = observe(lockFile);
      if (!seen) continue;
      const cond = conditionOf(seen, Date.now());
      if (breakable(cond)) {
        breakDeadLock(lockFile, seen);
        continue;
      }
      // Every call would wait its full timeout behind such a lock: once it is older than a wait, fail at once.
      if (Date.now() >= deadline || hopelessWait(cond, opts.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS)) throw new LockTimeoutError(describeStuck(lockFile, cond));
      pause(false);
    }
  } finally {
    // Leave the deck to the next waiter as soon as this one holds the lock (or gives up).
    onDeck.release();
  }
}

/**
 * How to clear a lock whose holder Lockstep cannot check (another host, another container's pid
 * namespace): only a person can tell whether that process still runs.
 */
export function unknownHolderFix(lockFile: string, record: LockRecord): string {
  return `Lockstep cannot check that process from here: if pid ${record.pid} on ${record.host} is no longer running (look there, e.g. ps -p ${record.pid} in that host or container), delete the lock: rm '${lockFile.replace(/'/g, "'\\''")}'`;
}

/** A lock held longer than a caller waits, by a process nobody here can check: waiting again will not free it. */
function hopelessWait(c: LockCondition, timeoutMs: number): boolean {
  return c.kind === 'held' && c.holder.state === 'unknown' && c.ageMs > timeoutMs;
}

function describeStuck(lockFile: string, c: LockCondition): string {
  switch (c.kind) {
    case 'held':
      return `the store lock ${lockFile} has been held for ${(c.ageMs / 1000).toFixed(1)} s by pid ${c.record.pid} on ${c.record.host}` +
        (c.holder.state === 'unknown' ? ` (${c.holder.reason}); ${unknownHolderFix(lockFile, c.record)}` : ' (alive: stopped or hung?)');
    case 'unparsable':
      return `the store lock ${lockFile} is unreadable and recent`;
    default:
      return `the store lock ${lockFile} could not be taken`;
  }
}

export function withFileLock<T>(lockFile: string, fn: () => T, opts: LockOptions = {}): T {
  const held = acquireFileLock(lockFile, opts);
  try {
    return fn();
  } finally {
    held.release();
  }
}

/** For `lockstep doctor`: breaks the lock, a leftover breaker and on-deck marker if (and only if) their holders are dead. */
export function breakLockIfDead(lockFile: string): { lock: LockCondition; brokeLock: boolean; brokeBreaker: boolean } {
  let brokeBreaker = false;
  for (const marker of [`${lockFile}.breaker`, `${lockFile}.next`]) {
    const b = observe(marker);
    if (b && breakable(conditionOf(b, Date.now()))) brokeBreaker = unlinkIfUnchanged(marker, b) || brokeBreaker;
  }
  const seen = observe(lockFile);
  const lock = conditionOf(seen, Date.now());
  const brokeLock = !!seen && breakable(lock) && breakDeadLock(lockFile, seen);
  return { lock, brokeLock, brokeBreaker };
}
