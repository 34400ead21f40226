// Tracks every worktree of the repository and its uncommitted files. File events only *trigger*
// a `git status` (coalesced, at most one in flight per worktree): git is the source of truth, so
// missed or duplicate events, ignored files and branch checkouts that touch thousands of files
// all end the same way — one status, the right answer. A few changed paths get a status limited
// to them (milliseconds, where a full status of a 20,000-file worktree takes hundreds); a burst,
// a HEAD/index change, the watcher coming up and a periodic backstop get a full one.
// Watching: directories only (see directoryWatch.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { climbsOut } from '../core/pathKey';
import { runGit } from '../git/gitRunner';
import { listWorktreeRoots, type RepoLocation } from '../repoPaths/repoLocator';
import { parsePorcelainV2, type WorktreeChange } from '../git/status';
import { CoalescingRunner } from './coalescingRunner';
import { watchDirectories, type DirectoryWatcher } from './directoryWatch';
import type { FileChange, WorktreeState } from '../engine/editingModel';

/** Directory names never worth watching, at any depth, whatever .gitignore says. */
const ALWAYS_IGNORED = new Set(['.git', 'node_modules', '__pycache__', '.venv']);
/**
 * Build output names, skipped only at a worktree's top level: deeper down (`src/build/x.ts`) they are
 * often tracked source. Ignored build folders anywhere are skipped through .gitignore anyway.
 */
const TOP_LEVEL_IGNORED = new Set(['dist', 'out', 'build', '.cache', '.next', 'target']);

function neverWatched(root: string, dir: string): boolean {
  const name = path.basename(dir);
  return ALWAYS_IGNORED.has(name) || (TOP_LEVEL_IGNORED.has(name) && path.dirname(dir) === root);
}
export const STATUS_DELAY_MS = 30;
/** Belt and braces: re-run every worktree's status this often even without events (commits elsewhere…). */
const BACKSTOP_MS = 60_000;
/** More changed paths than this in one run: a full status is cheaper than a long pathspec. */
const MAX_PATHSPECS = 200;

interface TrackedWorktree {
  loc: RepoLocation;
  main: boolean;
  head?: string;
  branch?: string;
  changes?: FileChange[];
  /** Absolute paths of git-ignored directories (from `git ls-files --ignored --directory`). */
  ignoredDirs: Set<string>;
  watcher?: DirectoryWatcher;
  status: CoalescingRunner;
  gone: boolean;
  /** The watcher finished its initial scan. */
  ready: boolean;
  /** Repo-relative paths events named since the last status run. */
  pending: Set<string>;
  /** The next run must be a full status. */
  full: boolean;
}

export interface WorktreeTrackerOptions {
  commonDir: string;
  onChange: () => void;
  log: (message: string) => void;
}

export class WorktreeTracker {
  private readonly worktrees = new Map<string, TrackedWorktree>();
  private metaWatcher: DirectoryWatcher | undefined;
  private readonly listRunner: CoalescingRunner;
  private backstop: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly opts: WorktreeTrackerOptions) {
    this.listRunner = new CoalescingRunner(async () => this.refreshList(), 50, (e) => opts.log(`worktree list: ${errorText(e)}`));
  }

  async start(): Promise<void> {
    await this.refreshList();
    // The first answer before the first snapshot; watchers come up in the background.
    await Promise.all([...this.worktrees.values()].map((w) => w.status.idle()));
    this.watchGitMeta();
    this.backstop = setInterval(() => {
      for (const w of this.worktrees.values()) this.requestFull(w);
    }, BACKSTOP_MS);
    this.backstop.unref();
  }

  states(): WorktreeState[] {
    return [...this.worktrees.values()]
      .filter((w) => !w.gone)
      .map((w) => ({ path: w.loc.worktreeRoot, head: w.head, branch: w.branch, main: w.main, changes: w.changes }));
  }

  roots(): string[] {
    return [...this.worktrees.keys()];
  }

  /** True once every worktree's watcher has finished its initial scan. */
  watching(): boolean {
    return [...this.worktrees.values()].every((w) => w.ready);
  }

  /** Resolves when every pending status and list refresh has finished (tests, benchmarks). */
  async settled(): Promise<void> {
    await this.listRunner.idle();
    await Promise.all([...this.worktrees.values()].map((w) => w.status.idle()));
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.backstop) clearInterval(this.backstop);
    this.listRunner.close();
    const closing: Promise<void>[] = [];
    if (this.metaWatcher) closing.push(this.metaWatcher.close());
    for (const w of this.worktrees.values()) {
      w.status.close();
      if (w.watcher) closing.push(w.watcher.close());
    }
    await Promise.allSettled(closing);
  }

  // ---- the list of worktrees -------------------------------------------------------------------

  private async refreshList(): Promise<void> {
    if (this.closed) return;
    const found = listWorktreeRoots(this.opts.commonDir).filter((l) => isDirectory(l.worktreeRoot));
    const seen = new Set<string>();
    let changed = false;
    for (const loc of found) {
      seen.add(loc.worktreeRoot);
      const existing = this.worktrees.get(loc.worktreeRoot);
      if (existing) {
        changed = this.readHead(existing) || changed;
        continue;
      }
      this.add(loc, loc.gitDir === this.opts.commonDir);
      changed = true;
    }
    for (const [root, w] of this.worktrees) {
      if (!seen.has(root)) {
        this.drop(w);
        changed = true;
      }
    }
    if (changed) this.opts.onChange();
  }

  private add(loc: RepoLocation, main: boolean): void {
    const w: TrackedWorktree = {
      loc,
      main,
      ignoredDirs: new Set(),
      gone: false,
      ready: false,
      pending: new Set(),
      full: true,
      status: new CoalescingRunner(async () => this.runStatus(w), STATUS_DELAY_MS, (e) => this.opts.log(`git status in ${loc.worktreeRoot}: ${errorText(e)}`)),
    };
    this.worktrees.set(loc.worktreeRoot, w);
    this.readHead(w);
    void this.startWatching(w);
    w.status.trigger();
  }

  private drop(w: TrackedWorktree): void {
    w.gone = true;
    w.status.close();
    this.worktrees.delete(w.loc.worktreeRoot);
    void w.watcher?.close().catch(() => undefined);
    this.opts.log(`worktree ${w.loc.worktreeRoot} is gone; no longer tracked`);
  }

  /** Reads HEAD (branch, commit) from the worktree's git dir; true when it changed. */
  private readHead(w: TrackedWorktree): boolean {
    const before = `${w.branch} ${w.head}`;
    try {
      const text = fs.readFileSync(path.join(w.loc.gitDir, 'HEAD'), 'utf8').trim();
      const m = /^ref:\s*(\S+)$/.exec(text);
      if (m) {
        const ref = m[1]!;
        w.branch = ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : ref;
        w.head = resolveRef(this.opts.commonDir, ref);
      } else {
        w.branch = undefined;
        w.head = text || undefined;
      }
    } catch {
      /* HEAD being rewritten; the next event reads it */
    }
    return before !== `${w.branch} ${w.head}`;
  }

  // ---- per-worktree status -----------------------------------------------------------------------

  private requestFull(w: TrackedWorktree): void {
    w.full = true;
    w.status.trigger();
  }

  private async runStatus(w: TrackedWorktree): Promise<void> {
    if (w.gone || this.closed) return;
    if (!isDirectory(w.loc.worktreeRoot)) {
      this.drop(w);
      this.opts.onChange();
      return;
    }
    // Take the paths named so far; events during the run are for the next one.
    const full = w.full || w.changes === undefined;
    const paths = [...w.pending];
    w.full = false;
    w.pending.clear();
    let changes: FileChange[];
    try {
      if (full) changes = toFileChanges(await gitStatus(w.loc.worktreeRoot, []));
      else {
        // Only these paths (files, or folders that appeared/vanished) are re-examined.
        const fresh = toFileChanges(await gitStatus(w.loc.worktreeRoot, paths));
        const keys = paths.map((p) => p.split(path.sep).join('/').normalize('NFC'));
        const covered = (k: string) => keys.some((p) => k === p || k.startsWith(`${p}/`));
        changes = [...(w.changes ?? []).filter((c) => !covered(c.key)), ...fresh];
        changes.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      }
    } catch (e) {
      // A worktree deleted under us: drop it quietly. Anything else: keep the last answer, log once.
      if (!isDirectory(w.loc.worktreeRoot)) {
        if (!w.gone) {
          this.drop(w);
          this.opts.onChange();
        }
        return;
      }
      if (!full) w.full = true; // fall back to a full status next time
      throw e;
    }
    if (w.gone) return;
    stampModified(w.loc.worktreeRoot, changes);
    const headChanged = this.readHead(w);
    if (headChanged || !sameChanges(w.changes, changes)) {
      w.changes = changes;
      this.opts.onChange();
    }
  }

  // ---- watching ------------------------------------------------------------------------------------

  private async startWatching(w: TrackedWorktree): Promise<void> {
    const root = w.loc.worktreeRoot;
    w.ignoredDirs = await gitIgnoredDirs(root).catch(() => new Set<string>());
    if (w.gone || this.closed) return;
    const otherRoots = () => this.roots().filter((r) => r !== root);
    const watcher = watchDirectories(root, {
      ignoreDir: (p) =>
        neverWatched(root, p) ||
        w.ignoredDirs.has(p) ||
        // A worktree nested inside another is watched on its own.
        otherRoots().includes(p),
      onEvent: (dir, name) => {
        const abs = path.join(dir, name);
        if (neverWatched(root, abs) || w.ignoredDirs.has(abs)) return;
        if (name === '.gitignore') {
          void gitIgnoredDirs(root)
            .then((dirs) => (w.ignoredDirs = dirs))
            .catch(() => undefined);
          return this.requestFull(w);
        }
        const rel = path.relative(root, abs);
        if (rel === '' || climbsOut(rel) || w.pending.size >= MAX_PATHSPECS) w.full = true;
        else w.pending.add(rel);
        w.status.trigger();
      },
      onReady: () => {
        w.ready = true;
        this.requestFull(w);
      },
      onError: (e) => {
        if (!isDirectory(root)) w.status.trigger(); // the status run notices and drops it
        else this.opts.log(`watching ${root}: ${errorText(e)}`);
      },
    });
    w.watcher = watcher;
    if (w.gone || this.closed) void watcher.close();
  }

  /**
   * Watches the git common dir for: new/removed worktrees (`worktrees/`), and HEAD/index changes
   * of every worktree (commits, checkouts, `git add`), which change `git status` without touching
   * any watched directory.
   */
  private watchGitMeta(): void {
    const common = this.opts.commonDir;
    const linked = path.join(common, 'worktrees');
    const watcher = watchDirectories(common, {
      ignoreDir: (p) => !(p === linked || path.dirname(p) === linked),
      onEvent: (dir, name) => {
        if (dir === common && name === 'worktrees') return this.listRunner.trigger();
        if (dir === linked) return this.listRunner.trigger();
        if (path.dirname(dir) === linked && name === 'gitdir') return this.listRunner.trigger();
        if (/^(HEAD|index)(\.lock)?$/.test(name)) {
          for (const w of this.worktrees.values()) if (w.loc.gitDir === dir) this.requestFull(w);
        }
      },
      onReady: () => this.listRunner.trigger(),
      onError: (e) => this.opts.log(`watching ${common}: ${errorText(e)}`),
    });
    this.metaWatcher = watcher;
  }
}

/** `git status` of a worktree, limited to `paths` (repo-relative, literal) when any are given. */
async function gitStatus(root: string, paths: readonly string[]): Promise<WorktreeChange[]> {
  const args = ['status', '--porcelain=v2', '-z', '--untracked-files=all', '--ignored=no'];
  if (paths.length > 0) args.push('--', ...paths.map((p) => `:(literal)${p}`));
  // GIT_OPTIONAL_LOCKS=0: never refresh the index (no index.lock contention with agents' own git).
  const out = await runGit(args, { cwd: root, env: { GIT_OPTIONAL_LOCKS: '0' } });
  return parsePorcelainV2(out.stdout);
}

function toFileChanges(raw: readonly WorktreeChange[]): FileChange[] {
  const changes: FileChange[] = [];
  for (const c of raw) {
    changes.push({ key: c.key, change: c.kind });
    if (c.from !== undefined && c.from !== c.key) changes.push({ key: c.from, change: 'deleted' });
  }
  changes.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return changes;
}

/** Git-ignored directories of a worktree (absolute paths), with git's own .gitignore semantics. */
async function gitIgnoredDirs(root: string): Promise<Set<string>> {
  const out = await runGit(['ls-files', '-z', '--others', '--ignored', '--exclude-standard', '--directory', '--no-empty-directory'], {
    cwd: root,
    env: { GIT_OPTIONAL_LOCKS: '0' },
  });
  const dirs = new Set<string>();
  for (const entry of out.stdout.split('\0')) {
    if (entry.endsWith('/')) dirs.add(path.join(root, entry.slice(0, -1)));
  }
  return dirs;
}

/** A ref's commit from loose refs or packed-refs (no git process). */
function resolveRef(commonDir: string, ref: string): string | undefined {
  try {
    return fs.readFileSync(path.join(commonDir, ref), 'utf8').trim() || undefined;
  } catch {
    /* not loose */
  }
  try {
    const packed = fs.readFileSync(path.join(commonDir, 'packed-refs'), 'utf8');
    for (const line of packed.split('\n')) {
      const sp = line.indexOf(' ');
      if (sp > 0 && line.slice(sp + 1) === ref) return line.slice(0, sp);
    }
  } catch {
    /* no packed refs */
  }
  return undefined;
}

/**
 * Each changed file's mtime: who wrote it is told apart by when it was written (changeAttribution.ts).
 * One lstat per uncommitted file per status run.
 */
function stampModified(root: string, changes: FileChange[]): void {
  for (const c of changes) {
    if (c.change === 'deleted') continue;
    try {
      c.mtimeMs = fs.lstatSync(path.join(root, ...c.key.split('/'))).mtimeMs;
    } catch {
      c.mtimeMs = undefined; // vanished since the status: the next event re-runs it
    }
  }
}

function sameChanges(a: readonly FileChange[] | undefined, b: readonly FileChange[]): boolean {
  if (!a || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.key !== b[i]!.key || a[i]!.change !== b[i]!.change || a[i]!.mtimeMs !== b[i]!.mtimeMs) return false;
  return true;
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
