// How many sub-agents each session runs now, for the spawn cap (cli/hookSpawnGate.ts): a small JSON
// file beside the decision log, changed under the memory lock. A spawn counts from the pre-tool hook
// that allowed it to the post-tool hook of the same tool (the sub-agent's result); sessions that are
// no longer alive in the lease table count nothing, so a crashed agent never holds slots.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as z from '../core/zod';
import { writeFileAtomic } from './durableFile';
import { acquireFileLock, LockTimeoutError } from './fileLock';
import { DOCTOR_HINT, StoreError } from './storeErrors';
import type { MemoryPaths } from './storePaths';

const Counts = z.record(z.string(), z.int().check(z.nonnegative()));
type Counts = z.infer<typeof Counts>;

export const DEFAULT_SUBAGENTS_PER_SESSION = 8;
export const DEFAULT_SUBAGENTS_PER_REPOSITORY = 32;

export type SpawnVerdict = { ok: true; running: number } | { ok: false; reason: 'session' | 'repository'; cap: number; running: Counts };

export class SubagentCounter {
  private readonly file: string;

  constructor(
    private readonly paths: MemoryPaths,
    private readonly liveSessions: () => ReadonlySet<string>,
  ) {
    this.file = path.join(path.dirname(paths.notes), 'subagents.json');
  }

  /** Counts one more sub-agent for `session` unless that passes a cap; then nothing changes. */
  tryStart(session: string, caps: { perSession: number; perRepository: number }): SpawnVerdict {
    return this.update<SpawnVerdict>((counts) => {
      const mine = counts[session] ?? 0;
      const total = Object.values(counts).reduce((a, b) => a + b, 0);
      if (mine >= caps.perSession) return { verdict: { ok: false, reason: 'session', cap: caps.perSession, running: counts } };
      if (total >= caps.perRepository) return { verdict: { ok: false, reason: 'repository', cap: caps.perRepository, running: counts } };
      return { verdict: { ok: true, running: mine + 1 }, next: { ...counts, [session]: mine + 1 } };
    });
  }

  /** One of the session's sub-agents returned. */
  finished(session: string): void {
    this.update((counts) => {
      const mine = counts[session] ?? 0;
      if (mine === 0) return { verdict: undefined };
      const next = { ...counts, [session]: mine - 1 };
      if (next[session] === 0) delete next[session];
      return { verdict: undefined, next };
    });
  }

  /** Sub-agents running per live session. */
  running(): Counts {
    return this.pruned(this.read());
  }

  private read(): Counts {
    try {
      const r = Counts.safeParse(JSON.parse(fs.readFileSync(this.file, 'utf8')));
      return r.success ? r.data : {};
    } catch {
      return {};
    }
  }

  private pruned(counts: Counts): Counts {
    const live = this.liveSessions();
    return Object.fromEntries(Object.entries(counts).filter(([s, n]) => n > 0 && live.has(s)));
  }

  private update<T>(fn: (counts: Counts) => { verdict: T; next?: Counts }): T {
    let held;
    try {
      held = acquireFileLock(this.paths.lock);
    } catch (e) {
      if (e instanceof LockTimeoutError) throw new StoreError(`${e.message}; ${DOCTOR_HINT}`);
      throw e;
    }
    try {
      const before = this.read();
      const counts = this.pruned(before);
      const { verdict, next } = fn(counts);
      const after = next ?? counts;
      if (JSON.stringify(after) !== JSON.stringify(before)) writeFileAtomic(this.file, JSON.stringify(after), { syncDir: false });
      return verdict;
    } finally {
      held.release();
    }
  }
}
