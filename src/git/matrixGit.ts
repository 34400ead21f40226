// The git facts of the matrix, cached by commit: branch tips, what each task branch changed since it
// forked from the target, and which paths merging two branches would conflict on
// (`git merge-tree --write-tree`, cached by the unordered pair of tip commits). A pair whose branches
// forked at the same commit and changed unrelated paths is known clean without running git.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { git, runGit } from './gitRunner';
import { changedSince, mergeTreeConflicts } from './mergeTree';

export interface BranchChanges {
  /** merge-base of the target and the branch tip. */
  forkPoint: string;
  /** Paths changed since the fork point, both sides of renames, sorted. */
  files: string[];
}

export interface MergeOutcome {
  paths: string[];
  /** How it was known: `git merge-tree`, or the branches cannot conflict (changed unrelated paths). */
  via: 'git' | 'disjoint';
  /** Answered from the cache (same pair of commits as before). */
  cached: boolean;
  error?: string;
}

export interface MatrixGitStats {
  /** Time spent in `git merge-tree` (ms). */
  mergeTreeMs: number;
  mergeTreeRuns: number;
  mergeCacheHits: number;
  mergeSkipped: number;
  /** Time spent in every other git call (ms). */
  otherGitMs: number;
  changesRuns: number;
  changesCacheHits: number;
}

const CACHE_LIMIT = 20_000;

function parentDir(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
}

/**
 * Whether merging two branches may conflict, from what each changed since its fork point. False
 * only when it cannot: same fork point, no shared path, no shared folder (directory renames, adds
 * next to deletions) and no path of one side that is a folder on the other (file/directory clash).
 */
export function mayConflict(a: BranchChanges, b: BranchChanges): boolean {
  if (a.forkPoint !== b.forkPoint) return true;
  if (a.files.length === 0 || b.files.length === 0) return false;
  const setA = new Set(a.files);
  for (const f of b.files) if (setA.has(f)) return true;
  const dirsA = new Set(a.files.map(parentDir));
  const dirsB = new Set(b.files.map(parentDir));
  for (const d of dirsB) if (dirsA.has(d)) return true;
  const ancestors = (files: readonly string[]) => {
    const s = new Set<string>();
    for (const f of files) for (let d = parentDir(f); d !== ''; d = parentDir(d)) s.add(d);
    return s;
  };
  const ancA = ancestors(a.files);
  for (const f of b.files) if (ancA.has(f)) return true;
  const ancB = ancestors(b.files);
  for (const f of a.files) if (ancB.has(f)) return true;
  return false;
}

function bounded<K, V>(map: Map<K, V>, key: K, value: V): void {
  if (map.size >= CACHE_LIMIT) map.delete(map.keys().next().value as K);
  map.set(key, value);
}

export class MatrixGit {
  private readonly changes = new Map<string, BranchChanges>();
  private readonly merges = new Map<string, { paths: string[]; disjoint: boolean }>();
  readonly stats: MatrixGitStats = { mergeTreeMs: 0, mergeTreeRuns: 0, mergeCacheHits: 0, mergeSkipped: 0, otherGitMs: 0, changesRuns: 0, changesCacheHits: 0 };

  private tipsCache: { names: string; stamp: string; tips: Map<string, string> } | undefined;

  /** `commonDir`: when given, branch tips are re-read only after a ref file changed (no git process per refresh). */
  constructor(
    readonly repoDir: string,
    private readonly commonDir?: string,
  ) {}

  /** Identity of the ref files of `branches` (loose refs and packed-refs); undefined when refs are not plain files. */
  private refsStamp(branches: readonly string[]): string | undefined {
    const dir = this.commonDir;
    if (!dir || fs.existsSync(path.join(dir, 'reftable'))) return undefined;
    const stat = (f: string) => {
      try {
        const st = fs.statSync(f);
        return `${st.ino}:${st.size}:${st.mtimeMs}`;
      } catch {
        return '-';
      }
    };
    return [stat(path.join(dir, 'packed-refs')), ...branches.map((b) => stat(path.join(dir, 'refs', 'heads', ...b.split('/'))))].join(' ');
  }

  private async timed<T>(fn: () => Promise<T>, merge = false): Promise<T> {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      const ms = performance.now() - t0;
      if (merge) this.stats.mergeTreeMs += ms;
      else this.stats.otherGitMs += ms;
    }
  }

  /** Commit of each existing `refs/heads/<name>` among `branches`, in one git call. */
  async tips(branches: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (branches.length === 0) return out;
    const names = branches.join('\n');
    const stamp = this.refsStamp(branches);
    if (stamp !== undefined && this.tipsCache?.names === names && this.tipsCache.stamp === stamp) return new Map(this.tipsCache.tips);
    const wanted = new Set(branches);
    const text = await this.timed(() => git(['for-each-ref', '--format=%(objectname) %(refname:strip=2)', 'refs/heads/'], { cwd: this.repoDir }));
    for (const line of text.split('\n')) {
      const sp = line.indexOf(' ');
      if (sp < 0) continue;
      const name = line.slice(sp + 1);
      if (wanted.has(name)) out.set(name, line.slice(0, sp));
    }
    this.tipsCache = stamp !== undefined ? { names, stamp, tips: new Map(out) } : undefined;
    return out;
  }

  /** What `tip` changed since it forked from `targetTip` (cached by the two commits). */
  async branchChanges(targetTip: string, tip: string): Promise<BranchChanges> {
    const key = `${targetTip} ${tip}`;
    const hit = this.changes.get(key);
    if (hit) {
      this.stats.changesCacheHits++;
      return hit;
    }
    this.stats.changesRuns++;
    const fork = await this.timed(async () => {
      const r = await runGit(['merge-base', '--end-of-options', targetTip, tip], { cwd: this.repoDir, okExitCodes: [1] });
      return r.exitCode === 0 ? r.stdout.trim() : '';
    });
    // Unrelated histories: everything on the branch counts as changed.
    const base = fork || '4b825dc642cb6eb9a060e54bf8d69288fbee4904';
    const list = await this.timed(() => changedSince(this.repoDir, base, tip));
    const files = new Set<string>();
    for (const c of list) {
      files.add(c.key);
      if (c.from !== undefined) files.add(c.from);
    }
    const result = { forkPoint: fork || `none:${tip}`, files: [...files].sort() };
    bounded(this.changes, key, result);
    return result;
  }

  /** Conflicting paths of merging tips `a` and `b`, cached by the unordered pair; `git` only when needed. */
  async mergeConflicts(a: { tip: string; changes: BranchChanges }, b: { tip: string; changes: BranchChanges }): Promise<MergeOutcome> {
    if (a.tip === b.tip) return { paths: [], via: 'disjoint', cached: false };
    const key = a.tip < b.tip ? `${a.tip} ${b.tip}` : `${b.tip} ${a.tip}`;
    const hit = this.merges.get(key);
    if (hit) {
      this.stats.mergeCacheHits++;
      return { paths: hit.paths, via: hit.disjoint ? 'disjoint' : 'git', cached: true };
    }
    if (!mayConflict(a.changes, b.changes)) {
      this.stats.mergeSkipped++;
      bounded(this.merges, key, { paths: [], disjoint: true });
      return { paths: [], via: 'disjoint', cached: false };
    }
    this.stats.mergeTreeRuns++;
    try {
      const paths = (await this.timed(() => mergeTreeConflicts(this.repoDir, a.tip, b.tip), true)).sort();
      bounded(this.merges, key, { paths, disjoint: false });
      return { paths, via: 'git', cached: false };
    } catch (e) {
      // Not cached: a transient failure (a lock, a missing object mid-gc) is retried next time.
      return { paths: [], via: 'git', cached: false, error: (e as Error).message.split('\n')[0] };
    }
  }

  /** Whether the merge of two tips is cached (tests). */
  hasMerge(a: string, b: string): boolean {
    return this.merges.has(a < b ? `${a} ${b}` : `${b} ${a}`);
  }
}
