// A per-repository mutual-exclusion lock: a file in the git common dir created with O_EXCL.
// Holders write their pid and host; a lock whose holder died on this host is taken over.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';

export class RepoLockTimeoutError extends Error {
  override readonly name = 'RepoLockTimeoutError';
}

interface LockOwner {
  pid: number;
  host: string;
  nonce: string;
  since: string;
}

export interface RepoLockOptions {
  /** How long to wait for a live holder. Default 60 s; 0 = try once. */
  waitMs?: number;
}

/** Path of the lock file `name` in the common dir. */
export function repoLockPath(commonDir: string, name: string): string {
  return path.join(commonDir, `lockstep-${name}.lock`);
}

/**
 * Runs `fn` while holding the repository lock `name`; releases it afterwards, even on failure.
 * `fn` learns whether it had to wait for another holder (then anything read before is stale).
 */
export async function withRepoLock<T>(commonDir: string, name: string, fn: (info: { waited: boolean }) => Promise<T>, opts: RepoLockOptions = {}): Promise<T> {
  const lock = await acquireRepoLock(commonDir, name, opts);
  try {
    return await fn({ waited: lock.waited });
  } finally {
    lock.release();
  }
}

export async function acquireRepoLock(commonDir: string, name: string, opts: RepoLockOptions = {}): Promise<{ release: () => void; waited: boolean }> {
  const file = repoLockPath(commonDir, name);
  const me: LockOwner = { pid: process.pid, host: os.hostname(), nonce: randomBytes(8).toString('hex'), since: new Date().toISOString() };
  const body = JSON.stringify(me);
  const deadline = Date.now() + (opts.waitMs ?? 60_000);
  for (let attempt = 0; ; attempt++) {
    try {
      fs.writeFileSync(file, body, { flag: 'wx' });
      return { release: () => releaseIfMine(file, me.nonce), waited: attempt > 0 };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = readOwner(file);
    if (holder === 'gone') continue;
    if (holder === 'unreadable' || !isHolderAlive(holder)) {
      breakStaleLock(file, holder);
      continue;
    }
    if (Date.now() >= deadline) {
      throw new RepoLockTimeoutError(`the repository lock '${name}' is held by pid ${holder.pid} on ${holder.host} since ${holder.since}`);
    }
    await new Promise((r) => setTimeout(r, Math.min(500, 20 * 2 ** Math.min(attempt, 5))));
  }
}

function readOwner(file: string): LockOwner | 'gone' | 'unreadable' {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return 'gone';
  }
  try {
    const owner = JSON.parse(text) as LockOwner;
    if (typeof owner.pid === 'number' && typeof owner.nonce === 'string') return owner;
  } catch {
    /* fall through */
  }
  // A holder may be between create and write; only treat as broken when it is old.
  try {
    const age = Date.now() - fs.statSync(file).mtimeMs;
    return age > 5000 ? 'unreadable' : { pid: process.pid, host: os.hostname(), nonce: '', since: 'just now' };
  } catch {
    return 'gone';
  }
}

function isHolderAlive(owner: LockOwner): boolean {
  if (owner.host !== os.hostname()) return true; // cannot tell for another host: assume alive
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// Moves the stale file aside, then checks that what we moved is what we judged stale; if a live
// holder replaced it in between, puts it back (link fails if a newer lock already exists).
function breakStaleLock(file: string, judged: LockOwner | 'unreadable'): void {
  const aside = `${file}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    fs.renameSync(file, aside);
  } catch {
    return;
  }
  const moved = readOwner(aside);
  const sameAsJudged = judged === 'unreadable' ? moved === 'unreadable' || moved === 'gone' : typeof moved === 'object' && moved.nonce === judged.nonce;
  if (!sameAsJudged) {
    try {
      fs.linkSync(aside, file);
    } catch {
      /* a newer lock exists; ours was stale relative to it anyway */
    }
  }
  fs.rmSync(aside, { force: true });
}

function releaseIfMine(file: string, nonce: string): void {
  const owner = readOwner(file);
  if (typeof owner === 'object' && owner.nonce === nonce) fs.rmSync(file, { force: true });
}
