// Finds the git repository and worktree around a path by reading the file system only (no git
// process): this runs on every agent hook call, where spawning git would dominate the latency.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { climbsOut, KeyError, toKey } from '../core/pathKey';
import { foldKey } from './caseFolding';

export class RepoError extends Error {
  override readonly name = 'RepoError';
}

export interface RepoLocation {
  /** realpath of the git common dir: the repository's identity, shared by all its worktrees. */
  commonDir: string;
  /** realpath of this worktree's own git dir (`<commonDir>` for the main worktree). */
  gitDir: string;
  /** realpath of the worktree's top folder. */
  worktreeRoot: string;
}

function lstatOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(p);
  } catch {
    return undefined;
  }
}

/** The deepest existing ancestor of `abs` (itself included) and the components below it. */
function splitExisting(abs: string): { existing: string; rest: string[] } {
  const rest: string[] = [];
  let cur = abs;
  for (;;) {
    if (lstatOrUndefined(cur)) return { existing: cur, rest };
    const parent = path.dirname(cur);
    if (parent === cur) return { existing: cur, rest };
    rest.unshift(path.basename(cur));
    cur = parent;
  }
}

/** realpath of `abs`, resolving the deepest existing ancestor (the file itself may not exist yet). */
export function realpathDeep(abs: string): string {
  const { existing, rest } = splitExisting(abs);
  return path.join(fs.realpathSync(existing), ...rest);
}

/** Reads `<dir>/.git` (folder, or `gitdir: X` file of a linked worktree / submodule). */
function locationAt(dir: string, dotGit: string, st: fs.Stats): RepoLocation {
  if (st.isDirectory()) {
    const gitDir = fs.realpathSync(dotGit);
    return { commonDir: commonDirOf(gitDir), gitDir, worktreeRoot: dir };
  }
  const text = fs.readFileSync(dotGit, 'utf8');
  const m = /^gitdir:\s*(.+?)\s*$/m.exec(text);
  if (!m) throw new RepoError(`${dotGit}: not a git worktree link (no 'gitdir:' line)`);
  let gitDir: string;
  try {
    gitDir = fs.realpathSync(path.resolve(dir, m[1]!));
  } catch {
    throw new RepoError(`${dotGit}: points to ${m[1]}, which does not exist (run \`git worktree prune\`)`);
  }
  return { commonDir: commonDirOf(gitDir), gitDir, worktreeRoot: dir };
}

function commonDirOf(gitDir: string): string {
  let rel: string;
  try {
    rel = fs.readFileSync(path.join(gitDir, 'commondir'), 'utf8').trim();
  } catch {
    return gitDir;
  }
  return fs.realpathSync(path.resolve(gitDir, rel));
}

/** Walks up from `startPath` to the nearest `.git`. Throws a one-line RepoError outside a repository. */
export function locateRepo(startPath: string): RepoLocation {
  let dir: string;
  try {
    dir = realpathDeep(path.resolve(startPath));
  } catch (e) {
    throw new RepoError(`${startPath}: cannot be resolved (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const st0 = lstatOrUndefined(dir);
  if (st0 && !st0.isDirectory()) dir = path.dirname(dir);
  for (;;) {
    const dotGit = path.join(dir, '.git');
    const st = lstatOrUndefined(dotGit);
    if (st && (st.isDirectory() || st.isFile())) return locationAt(dir, dotGit, st);
    const parent = path.dirname(dir);
    if (parent === dir) throw new RepoError(`${startPath}: not inside a git repository`);
    dir = parent;
  }
}

/** Every worktree of the repository, read from `<commonDir>` (main worktree first). Pure fs. */
export function listWorktreeRoots(commonDir: string): RepoLocation[] {
  const out: RepoLocation[] = [];
  if (path.basename(commonDir) === '.git') {
    out.push({ commonDir, gitDir: commonDir, worktreeRoot: path.dirname(commonDir) });
  }
  let names: string[] = [];
  try {
    names = fs.readdirSync(path.join(commonDir, 'worktrees'));
  } catch {
    /* no linked worktrees */
  }
  for (const name of names) {
    const gitDir = path.join(commonDir, 'worktrees', name);
    try {
      const dotGit = fs.readFileSync(path.join(gitDir, 'gitdir'), 'utf8').trim();
      out.push({ commonDir, gitDir, worktreeRoot: fs.realpathSync(path.dirname(dotGit)) });
    } catch {
      /* a pruned or moved worktree: not a place anyone can edit */
    }
  }
  return out;
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!climbsOut(rel) && !path.isAbsolute(rel));
}

export interface EditKey {
  key: string;
  location: RepoLocation;
}

/**
 * Maps a path an agent wants to write (absolute, or relative to `cwd`) to its logical key and the
 * worktree that holds it. Throws a one-line KeyError/RepoError for NUL bytes, `..` escapes, `.git`
 * components, paths outside every worktree of the repository, and paths whose realpath leaves
 * their worktree through a symlink.
 */
export function resolveEditKey(rawPath: string, cwd: string, cwdLocation?: RepoLocation): EditKey {
  if (typeof rawPath !== 'string' || rawPath.length === 0) throw new KeyError('empty path');
  if (rawPath.includes('\0')) throw new KeyError('path contains a NUL byte');
  const here = cwdLocation ?? locateRepo(cwd);
  const realCwd = realpathDeep(path.resolve(cwd));
  const lexicalAbs = path.resolve(realCwd, rawPath);

  // The worktree the path names lexically (before following symlinks), if any.
  const worktrees = listWorktreeRoots(here.commonDir);
  if (!worktrees.some((w) => w.worktreeRoot === here.worktreeRoot)) worktrees.push(here);
  let lexical: RepoLocation | undefined;
  for (const w of worktrees) {
    if (isInside(lexicalAbs, w.worktreeRoot) && (!lexical || w.worktreeRoot.length > lexical.worktreeRoot.length)) lexical = w;
  }
  // A relative path is the agent's own worktree's business: `..` out of it is an escape, even into a sibling worktree.
  if (!path.isAbsolute(rawPath) && !isInside(lexicalAbs, here.worktreeRoot)) {
    throw new KeyError(`${rawPath}: escapes the worktree (${here.worktreeRoot})`);
  }
  if (lexical) {
    // Lexical validation first, so `.git/config` and `../x` get the message that names them.
    toKey(path.relative(lexical.worktreeRoot, lexicalAbs) || '.');
  }

  let realAbs: string;
  try {
    realAbs = realpathDeep(lexicalAbs);
  } catch (e) {
    throw new KeyError(`${rawPath}: cannot be resolved (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  let real: RepoLocation | undefined;
  try {
    real = locateRepo(realAbs);
  } catch {
    real = undefined;
  }
  if (!real || real.commonDir !== here.commonDir) {
    if (lexical && real && isInside(real.worktreeRoot, lexical.worktreeRoot) && real.worktreeRoot !== lexical.worktreeRoot) {
      throw new KeyError(`${rawPath}: is inside ${path.relative(lexical.worktreeRoot, real.worktreeRoot)}, a git submodule (its own repository, with its own leases); lease it from there (cd ${real.worktreeRoot})`);
    }
    if (lexical) throw new KeyError(`${rawPath}: leaves the worktree through a symlink (resolves to ${realAbs})`);
    throw new KeyError(`${rawPath}: outside every worktree of this repository (${here.worktreeRoot})`);
  }
  if (lexical && lexical.worktreeRoot !== real.worktreeRoot) {
    throw new KeyError(`${rawPath}: leaves the worktree ${lexical.worktreeRoot} through a symlink (resolves to ${realAbs})`);
  }
  const rel = path.relative(real.worktreeRoot, realAbs);
  if (rel === '') throw new KeyError(`${rawPath}: names the worktree root, not a file`);
  // Folded before the checks, so `.GIT/config` is refused as `.git` where names fold.
  return { key: toKey(foldKey(real.worktreeRoot, rel)), location: real };
}
