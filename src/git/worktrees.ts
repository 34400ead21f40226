// Worktrees: listing, creating a locked worktree per task on branch lockstep/<task-id> (serialized per
// repository, repairing what a crash left), removing only clean worktrees, deleting only merged branches.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GitCommandError, git, runGit } from './gitRunner';
import { validateBranchName, taskBranchName, InvalidNameError } from './refNames';
import { gitCommonDir, isAncestor, readBranch, readRef } from './repository';
import { withRepoLock } from './repoLock';
import { worktreeChanges } from './status';

export interface WorktreeInfo {
  /** Absolute path as git records it. */
  path: string;
  /** Commit checked out (absent in a repository without commits). */
  head?: string;
  /** Short branch name, absent when detached. */
  branch?: string;
  bare: boolean;
  detached: boolean;
  /** Lock reason ('' when locked without a reason); absent when not locked. */
  locked?: string;
  /** Why git considers it prunable, when it does. */
  prunable?: string;
  /** True for the main worktree (the first one listed). */
  main: boolean;
}

export class WorktreeError extends Error {
  override readonly name = 'WorktreeError';
}

/** The error thrown when a worktree has uncommitted or untracked changes; `files` names them. */
export class WorktreeDirtyError extends WorktreeError {
  constructor(readonly worktree: string, readonly files: string[]) {
    super(`worktree ${worktree} has uncommitted or untracked changes (${describeFiles(files)}); commit or move them first`);
  }
}

export class BranchNotMergedError extends Error {
  override readonly name = 'BranchNotMergedError';
}

/** The worktree-serializing lock name (shared with the landing engine's temporary worktrees). */
export const WORKTREE_LOCK = 'worktrees';

/** Every worktree of the repository containing `repoDir`. */
export async function listWorktrees(repoDir: string): Promise<WorktreeInfo[]> {
  const out = await runGit(['worktree', 'list', '--porcelain', '-z'], { cwd: repoDir });
  const list: WorktreeInfo[] = [];
  let cur: WorktreeInfo | undefined;
  for (const field of out.stdout.split('\0')) {
    if (field === '') {
      if (cur) list.push(cur);
      cur = undefined;
      continue;
    }
    const sp = field.indexOf(' ');
    const key = sp < 0 ? field : field.slice(0, sp);
    const value = sp < 0 ? '' : field.slice(sp + 1);
    if (key === 'worktree') {
      if (cur) list.push(cur);
      cur = { path: value, bare: false, detached: false, main: list.length === 0 };
    } else if (cur) {
      if (key === 'HEAD') cur.head = value;
      else if (key === 'branch') cur.branch = value.replace(/^refs\/heads\//, '');
      else if (key === 'bare') cur.bare = true;
      else if (key === 'detached') cur.detached = true;
      else if (key === 'locked') cur.locked = value;
      else if (key === 'prunable') cur.prunable = value;
    }
  }
  if (cur) list.push(cur);
  return list;
}

/** The worktrees that have `branch` (short name) checked out. */
export async function worktreesOnBranch(repoDir: string, branch: string): Promise<WorktreeInfo[]> {
  return (await listWorktrees(repoDir)).filter((w) => w.branch === branch && !w.bare);
}

export interface CreateTaskWorktreeInput {
  /** Any directory inside the repository. */
  repoDir: string;
  taskId: string;
  /** Absolute path of the new worktree. */
  path: string;
  /** Commit (or revision) the new branch starts from. */
  startPoint: string;
  /** Lock reason recorded by git; default "lockstep task <id>". */
  lockReason?: string;
}

export interface TaskWorktree {
  path: string;
  /** Short branch name, `lockstep/<task-id>`. */
  branch: string;
  head: string;
  /** The branch already existed (left by an earlier attempt) and was reused, commits intact. */
  reusedBranch: boolean;
  /** The worktree already existed at that path on that branch and was returned as is. */
  existing: boolean;
  /** A worktree left half-created (e.g. by a crash) was repaired. */
  repaired: boolean;
  submodulesInitialized: boolean;
}

/**
 * Creates a locked worktree for a task at `path` on a new branch `lockstep/<task-id>` from `startPoint`.
 * Idempotent for the same task and path; repairs a half-created worktree; refuses (naming where) when the
 * branch is checked out elsewhere.
 */
export async function createTaskWorktree(input: CreateTaskWorktreeInput): Promise<TaskWorktree> {
  const branch = taskBranchName(input.taskId);
  await validateBranchName(input.repoDir, branch);
  if (typeof input.path !== 'string' || !path.isAbsolute(input.path)) throw new InvalidNameError(`path: ${JSON.stringify(input.path)} must be an absolute path`);
  const wtPath = path.resolve(input.path);
  const reason = input.lockReason ?? `lockstep task ${input.taskId}`;
  const commonDir = await gitCommonDir(input.repoDir);
  const start = await readRef(input.repoDir, input.startPoint);
  if (!start) throw new WorktreeError(`startPoint: ${JSON.stringify(input.startPoint)} is not a commit in this repository`);

  return withRepoLock(commonDir, WORKTREE_LOCK, async () => {
    let repaired = await forgetVanishedWorktrees(input.repoDir, commonDir);
    // A registration without a usable HEAD or .git file: left by an interrupted `worktree add`.
    if (await discardBrokenRegistration(commonDir, wtPath)) repaired = true;
    const here = await findWorktree(input.repoDir, wtPath);
    if (here) {
      if (here.branch !== branch) throw new WorktreeError(`path: ${wtPath} is already a worktree on ${here.branch ? `branch ${here.branch}` : 'a detached HEAD'}`);
      if (!isCheckoutComplete(commonDir, wtPath)) {
        await repairInterruptedCheckout(commonDir, wtPath);
        repaired = true;
      }
      const subs = await initSubmodules(wtPath);
      return { path: fs.realpathSync(wtPath), branch, head: await git(['rev-parse', 'HEAD'], { cwd: wtPath }), reusedBranch: true, existing: !repaired, repaired, submodulesInitialized: subs };
    }

    const elsewhere = (await listWorktrees(input.repoDir)).find((w) => w.branch === branch);
    if (elsewhere) throw new WorktreeError(`branch ${branch} is already checked out at ${elsewhere.path}`);
    if (fs.existsSync(wtPath) && fs.readdirSync(wtPath).length > 0) throw new WorktreeError(`path: ${wtPath} exists and is not empty`);

    const existingTip = await readBranch(input.repoDir, branch);
    const args = ['worktree', 'add', '--lock', '--reason', reason];
    if (existingTip) args.push('--', wtPath, branch);
    else args.push('-b', branch, '--', wtPath, start);
    await runGit(args, { cwd: input.repoDir });
    const subs = await initSubmodules(wtPath);
    return {
      path: fs.realpathSync(wtPath),
      branch,
      head: await git(['rev-parse', 'HEAD'], { cwd: wtPath }),
      reusedBranch: existingTip !== undefined,
      existing: false,
      repaired,
      submodulesInitialized: subs,
    };
  });
}

/** Adds a detached, locked worktree at `wtPath` for `commit` (used for landing checks). Serialized per repository. */
export async function addDetachedWorktree(repoDir: string, wtPath: string, commit: string, reason: string, commonDir?: string): Promise<void> {
  commonDir ??= await gitCommonDir(repoDir);
  await withRepoLock(commonDir, WORKTREE_LOCK, async () => {
    await runGit(['worktree', 'add', '--detach', '--lock', '--reason', reason, '--', wtPath, commit], { cwd: repoDir });
  });
  await initSubmodules(wtPath);
}

/** Ignored folders that hold only build output (re-created by a build or install, never someone's work). */
export const BUILD_OUTPUT_DIRS: readonly string[] = ['node_modules', 'dist', 'out', 'build', '.cache'];

/** The error thrown when a worktree holds ignored files that may be work (e.g. `.env`); `files` names them. */
export class WorktreeIgnoredFilesError extends WorktreeError {
  constructor(readonly worktree: string, readonly files: string[]) {
    super(`worktree ${worktree} has ignored files that are not build output (${describeFiles(files, 5)}); move or delete them first`);
  }
}

export interface RemoveWorktreeOptions {
  /** Ignored files (repo-relative key, absolute path) that may go with the worktree, e.g. Lockstep's own hook settings. */
  disposable?: (key: string, file: string) => boolean;
}

/**
 * Removes a worktree with git (no force over changes): refuses, naming the files, when it has uncommitted
 * or untracked changes, or ignored files other than build output (BUILD_OUTPUT_DIRS) and `disposable`
 * ones. Unlocks it first. The branch stays.
 */
export async function removeWorktree(worktreePath: string, opts: RemoveWorktreeOptions = {}): Promise<void> {
  if (!fs.existsSync(worktreePath)) throw new WorktreeError(`path: ${worktreePath} does not exist`);
  const wtPath = fs.realpathSync(worktreePath);
  const commonDir = await gitCommonDir(wtPath);
  await withRepoLock(commonDir, WORKTREE_LOCK, async () => {
    const all = await listWorktrees(wtPath);
    const entry = all.find((w) => samePath(w.path, wtPath));
    if (!entry) throw new WorktreeError(`path: ${wtPath} is not a worktree of this repository`);
    if (entry.main) throw new WorktreeError(`path: ${wtPath} is the main worktree; it cannot be removed`);
    const changes = await worktreeChanges(wtPath);
    if (changes.length > 0) throw new WorktreeDirtyError(wtPath, changes.map((c) => c.key));
    // `git worktree remove` deletes ignored files silently: keep the worktree when one may hold work.
    const kept = (await ignoredFiles(wtPath)).filter((key) => !isBuildOutput(key) && !opts.disposable?.(key, path.join(wtPath, key)));
    if (kept.length > 0) throw new WorktreeIgnoredFilesError(wtPath, kept);
    const repoDir = all[0].path;
    if (entry.locked !== undefined) await runGit(['worktree', 'unlock', '--', wtPath], { cwd: repoDir });
    try {
      await runGit(['worktree', 'remove', '--', wtPath], { cwd: repoDir });
    } catch (err) {
      // git refuses worktrees holding submodules even when clean; we checked (status includes submodules).
      if (err instanceof GitCommandError && /containing submodules/.test(err.stderr)) {
        await runGit(['worktree', 'remove', '--force', '--', wtPath], { cwd: repoDir });
      } else {
        if (entry.locked !== undefined) await runGit(['worktree', 'lock', '--reason', entry.locked, '--', wtPath], { cwd: repoDir }).catch(() => undefined);
        throw err;
      }
    }
  });
}

// Ignored files and folders (a folder is listed alone when an ignore pattern matches it as a whole).
async function ignoredFiles(wtPath: string): Promise<string[]> {
  const out = await runGit(['status', '--porcelain', '-z', '--ignored=matching', '--untracked-files=normal'], { cwd: wtPath, env: { GIT_OPTIONAL_LOCKS: '0' } });
  return out.stdout
    .split('\0')
    .filter((rec) => rec.startsWith('!! '))
    .map((rec) => rec.slice(3));
}

function isBuildOutput(key: string): boolean {
  const dirs = key.replace(/\/$/, '').split('/');
  // A file is build output when a folder above it is; a folder when it is one.
  if (!key.endsWith('/')) dirs.pop();
  return dirs.some((d) => BUILD_OUTPUT_DIRS.includes(d));
}

/**
 * Deletes branch `branch` only when it is fully merged into `mergedInto` and not checked out anywhere
 * (compare-and-swap on the tip that was checked). Otherwise refuses with the reason.
 */
export async function deleteBranch(repoDir: string, branch: string, mergedInto: string): Promise<void> {
  await validateBranchName(repoDir, branch, 'branch');
  await validateBranchName(repoDir, mergedInto, 'mergedInto');
  const tip = await readBranch(repoDir, branch);
  if (!tip) throw new WorktreeError(`branch: ${branch} does not exist`);
  const target = await readBranch(repoDir, mergedInto);
  if (!target) throw new WorktreeError(`mergedInto: ${mergedInto} does not exist`);
  if (!(await isAncestor(repoDir, tip, target))) {
    const ahead = await git(['rev-list', '--count', '--end-of-options', tip, `^${target}`], { cwd: repoDir });
    throw new BranchNotMergedError(`branch ${branch} has ${ahead} commit(s) not merged into ${mergedInto}; not deleted`);
  }
  const checkedOut = (await listWorktrees(repoDir)).find((w) => w.branch === branch);
  if (checkedOut) throw new WorktreeError(`branch ${branch} is checked out at ${checkedOut.path}; not deleted`);
  await runGit(['update-ref', '-m', `lockstep: delete ${branch} (merged into ${mergedInto})`, '-d', `refs/heads/${branch}`, tip], { cwd: repoDir });
}

/**
 * Drops worktree records whose folder no longer exists (`git worktree prune`), including ones Lockstep
 * locked (git never prunes locked records). Returns the paths forgotten.
 */
export async function pruneWorktrees(repoDir: string): Promise<string[]> {
  const commonDir = await gitCommonDir(repoDir);
  return withRepoLock(commonDir, WORKTREE_LOCK, async () => {
    const before = await listWorktrees(repoDir);
    await forgetVanishedWorktrees(repoDir, commonDir);
    const after = new Set((await listWorktrees(repoDir)).map((w) => w.path));
    return before.filter((w) => !after.has(w.path)).map((w) => w.path);
  });
}

/** Records of worktrees whose folder no longer exists (what pruneWorktrees forgets, when Lockstep's or unlocked). */
export async function vanishedWorktrees(repoDir: string): Promise<WorktreeInfo[]> {
  return (await listWorktrees(repoDir)).filter((w) => !w.main && !w.bare && !fs.existsSync(w.path));
}

/**
 * Locked by Lockstep: its reason says so, or a task worktree still carries the lock git writes while
 * `worktree add` runs ("initializing"), left by a crash. Anyone else's lock is respected.
 */
export function isLockstepLocked(w: WorktreeInfo): boolean {
  if (w.locked === undefined) return false;
  return w.locked.startsWith('lockstep') || (w.locked === 'initializing' && (w.branch?.startsWith('lockstep/') ?? false));
}

// Unlocks Lockstep-locked records whose folder vanished, then prunes. Returns true when something was pruned.
async function forgetVanishedWorktrees(repoDir: string, commonDir: string): Promise<boolean> {
  const list = await listWorktrees(repoDir);
  const vanished = list.filter((w) => !w.main && !w.bare && !fs.existsSync(w.path));
  for (const w of vanished) {
    if (isLockstepLocked(w)) {
      const admin = adminDirFor(commonDir, w.path);
      if (admin) fs.rmSync(path.join(admin, 'locked'), { force: true });
    }
  }
  if (vanished.length === 0 && !list.some((w) => w.prunable)) return false;
  await runGit(['worktree', 'prune'], { cwd: repoDir });
  return vanished.length > 0;
}

async function findWorktree(repoDir: string, wtPath: string): Promise<WorktreeInfo | undefined> {
  return (await listWorktrees(repoDir)).find((w) => samePath(w.path, wtPath));
}

/** The admin dir (`<common>/worktrees/<name>`) whose gitdir file points at `<wtPath>/.git`. */
export function adminDirFor(commonDir: string, wtPath: string): string | undefined {
  const root = path.join(commonDir, 'worktrees');
  if (!fs.existsSync(root)) return undefined;
  const want = path.join(path.resolve(wtPath), '.git');
  for (const name of fs.readdirSync(root)) {
    try {
      const gitdir = fs.readFileSync(path.join(root, name, 'gitdir'), 'utf8').trim();
      if (samePath(gitdir, want)) return path.join(root, name);
    } catch {
      /* not a worktree admin dir */
    }
  }
  return undefined;
}

// `git worktree add` writes the worktree's index only when its checkout finished.
function isCheckoutComplete(commonDir: string, wtPath: string): boolean {
  const admin = adminDirFor(commonDir, wtPath);
  return admin !== undefined && fs.existsSync(path.join(admin, 'index')) && fs.existsSync(path.join(wtPath, '.git'));
}

// The checkout never finished: finish it from HEAD, but only when every file in it is one the checkout
// wrote (HEAD's content, or missing); anything else may be someone's work and is never reset away.
async function repairInterruptedCheckout(commonDir: string, wtPath: string): Promise<void> {
  const admin = adminDirFor(commonDir, wtPath);
  if (!admin || !fs.existsSync(path.join(wtPath, '.git'))) throw new WorktreeError(`path: ${wtPath} is a damaged worktree; inspect it and remove it by hand`);
  const unlike = await filesUnlikeHead(admin, wtPath);
  if (unlike.length > 0) {
    throw new WorktreeError(`worktree ${wtPath} was left half-created but has files that differ from its HEAD or are not in it (${describeFiles(unlike, 5)}); nothing was reset: save them, then remove the worktree by hand`);
  }
  await runGit(['reset', '--hard', '-q', '--no-recurse-submodules', 'HEAD'], { cwd: wtPath });
}

// Files of a worktree whose index is gone that differ from HEAD (content, mode, type) or are not in it,
// ignored ones included. Compared through a scratch index read from HEAD, so the stat data is empty and
// git compares contents. Files missing from the folder are fine: the checkout had not written them yet.
async function filesUnlikeHead(admin: string, wtPath: string): Promise<string[]> {
  const index = path.join(admin, `lockstep-check-index.${process.pid}`);
  const env = { GIT_INDEX_FILE: index, GIT_OPTIONAL_LOCKS: '0' };
  try {
    await runGit(['read-tree', 'HEAD'], { cwd: wtPath, env });
    await runGit(['update-index', '-q', '--refresh'], { cwd: wtPath, env, okExitCodes: [1] });
    const diff = (await runGit(['diff-files', '--name-status', '-z', '--no-renames'], { cwd: wtPath, env })).stdout.split('\0');
    const out: string[] = [];
    for (let i = 0; i + 1 < diff.length; i += 2) if (diff[i] !== 'D') out.push(diff[i + 1]!);
    const others = (await runGit(['ls-files', '-z', '--others'], { cwd: wtPath, env })).stdout.split('\0').filter(Boolean);
    return [...out, ...others];
  } finally {
    fs.rmSync(index, { force: true });
  }
}

/** What a crash may have left of a worktree, as createTaskWorktree would find it. */
export type WorktreeCrashState = 'unregistered' | 'broken-registration' | 'interrupted-checkout' | 'complete';

function crashState(commonDir: string, wtPath: string): WorktreeCrashState {
  const admin = adminDirFor(commonDir, wtPath);
  if (!admin) return 'unregistered';
  const headOk = /^(ref: refs\/|[0-9a-f]{40})/.test(readOr(path.join(admin, 'HEAD')));
  if (!headOk || !fs.existsSync(path.join(wtPath, '.git'))) return 'broken-registration';
  return isCheckoutComplete(commonDir, wtPath) ? 'complete' : 'interrupted-checkout';
}

/** The state of the worktree at `wtPath` (no changes made). */
export async function worktreeCrashState(repoDir: string, wtPath: string): Promise<WorktreeCrashState> {
  return crashState(await gitCommonDir(repoDir), path.resolve(wtPath));
}

/**
 * Repairs what an interrupted `worktree add` left at `wtPath`, as createTaskWorktree would: a broken
 * registration is discarded (only when its folder holds nothing), an interrupted checkout is finished
 * (only when every file in it is HEAD's). Refuses with a WorktreeError otherwise. Returns the state found.
 */
export async function repairHalfCreatedWorktree(repoDir: string, wtPath: string): Promise<WorktreeCrashState> {
  const commonDir = await gitCommonDir(repoDir);
  const p = path.resolve(wtPath);
  return withRepoLock(commonDir, WORKTREE_LOCK, async () => {
    const state = crashState(commonDir, p);
    if (state === 'broken-registration') await discardBrokenRegistration(commonDir, p);
    else if (state === 'interrupted-checkout') await repairInterruptedCheckout(commonDir, p);
    return state;
  });
}

// A registration whose admin dir lacks a usable HEAD, or whose folder lacks its .git file: created
// by an interrupted `worktree add`. Removed only when its folder holds nothing else.
async function discardBrokenRegistration(commonDir: string, wtPath: string): Promise<boolean> {
  const admin = adminDirFor(commonDir, wtPath);
  if (!admin) return false;
  const headOk = /^(ref: refs\/|[0-9a-f]{40})/.test(readOr(path.join(admin, 'HEAD')));
  if (headOk && fs.existsSync(path.join(wtPath, '.git'))) return false;
  const entries = fs.existsSync(wtPath) ? fs.readdirSync(wtPath) : [];
  if (entries.some((e) => e !== '.git')) throw new WorktreeError(`path: ${wtPath} is a damaged worktree with files in it; inspect it and remove it by hand`);
  fs.rmSync(path.join(wtPath, '.git'), { force: true });
  if (fs.existsSync(wtPath)) fs.rmdirSync(wtPath);
  fs.rmSync(admin, { recursive: true, force: true });
  return true;
}

function readOr(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

async function initSubmodules(wtPath: string): Promise<boolean> {
  if (!fs.existsSync(path.join(wtPath, '.gitmodules'))) return false;
  await runGit(['submodule', 'update', '--init', '--recursive'], { cwd: wtPath, timeoutMs: 600_000 });
  return true;
}

export function samePath(a: string, b: string): boolean {
  return canonical(a) === canonical(b);
}

function canonical(p: string): string {
  const abs = path.resolve(p);
  try {
    return fs.realpathSync(abs);
  } catch {
    // Missing path: canonicalize its nearest existing parent.
    const parent = path.dirname(abs);
    return parent === abs ? abs : path.join(canonical(parent), path.basename(abs));
  }
}

export function describeFiles(files: readonly string[], max = 10): string {
  const shown = files.slice(0, max).join(', ');
  return files.length > max ? `${shown} and ${files.length - max} more` : shown;
}
