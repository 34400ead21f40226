// Repository-level facts: identity (realpath of the git common dir), tracked files, HEAD, refs, ancestry.
import * as fs from 'node:fs';
import { git, runGit } from './gitRunner';

/** Absolute realpath of the git common dir shared by all worktrees of the repository containing `dir`. */
export async function gitCommonDir(dir: string): Promise<string> {
  const out = await git(['rev-parse', '--path-format=absolute', '--git-common-dir'], { cwd: dir });
  return fs.realpathSync(out);
}

/** Repository identity: the realpath of the git common dir. Equal for every worktree of one repository. */
export async function repoIdentity(dir: string): Promise<string> {
  return gitCommonDir(dir);
}

/** Absolute realpath of the top of the worktree containing `dir`. */
export async function worktreeRoot(dir: string): Promise<string> {
  return fs.realpathSync(await git(['rev-parse', '--show-toplevel'], { cwd: dir }));
}

/** Tracked files of the worktree at `dir`, as repo-relative POSIX keys (NFC). */
export async function trackedFiles(dir: string): Promise<string[]> {
  const out = await runGit(['ls-files', '-z', '--full-name'], { cwd: await worktreeRoot(dir) });
  return splitNul(out.stdout).map((p) => p.normalize('NFC'));
}

/** Short name of the branch checked out at `dir`, or undefined when HEAD is detached. */
export async function currentBranch(dir: string): Promise<string | undefined> {
  const out = await runGit(['symbolic-ref', '-q', '--short', 'HEAD'], { cwd: dir, okExitCodes: [1] });
  return out.exitCode === 0 ? out.stdout.trim() : undefined;
}

/** Commit id of HEAD at `dir`, or undefined in a repository without commits. */
export async function headCommit(dir: string): Promise<string | undefined> {
  return readRef(dir, 'HEAD');
}

/** Commit id a ref or revision resolves to, or undefined when it does not exist. */
export async function readRef(dir: string, ref: string): Promise<string | undefined> {
  if (ref.startsWith('-')) throw new Error(`ref: ${JSON.stringify(ref)} may not start with '-'`);
  const out = await runGit(['rev-parse', '-q', '--verify', '--end-of-options', `${ref}^{commit}`], { cwd: dir, okExitCodes: [1] });
  return out.exitCode === 0 ? out.stdout.trim() : undefined;
}

/** Commit id of branch `branch` (short name), or undefined. */
export async function readBranch(dir: string, branch: string): Promise<string | undefined> {
  return readRef(dir, `refs/heads/${branch}`);
}

/** True when `ancestor` is an ancestor of (or equal to) `descendant`. */
export async function isAncestor(dir: string, ancestor: string, descendant: string): Promise<boolean> {
  const out = await runGit(['merge-base', '--is-ancestor', '--end-of-options', ancestor, descendant], { cwd: dir, okExitCodes: [1] });
  return out.exitCode === 0;
}

/** Splits NUL-terminated git output, dropping the empty tail. */
export function splitNul(text: string): string[] {
  const parts = text.split('\0');
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/**
 * Resolves several revisions in one git process (`cat-file --batch-check`); undefined for each that
 * does not name a commit. Revisions may not contain newlines.
 */
export async function resolveCommits(dir: string, revs: readonly string[]): Promise<(string | undefined)[]> {
  if (revs.some((r) => /[\n\0]/.test(r))) throw new Error('revision names may not contain newlines');
  const out = await runGit(['cat-file', '--batch-check=%(objectname) %(objecttype)'], {
    cwd: dir,
    input: revs.map((r) => `${r}^{commit}\n`).join(''),
  });
  const lines = out.stdout.split('\n');
  return revs.map((_, i) => {
    const m = /^([0-9a-f]{40,64}) commit$/.exec(lines[i] ?? '');
    return m ? m[1] : undefined;
  });
}

/** Commit and tree ids of `rev`, read together (one consistent snapshot of a moving ref). */
export async function readCommitAndTree(dir: string, rev: string): Promise<{ commit: string; tree: string } | undefined> {
  const out = await runGit(['show', '-s', '--no-show-signature', '--format=%H %T', '--end-of-options', rev, '--'], { cwd: dir, okExitCodes: [128] });
  const m = /^([0-9a-f]{40,64}) ([0-9a-f]{40,64})/.exec(out.stdout);
  return out.exitCode === 0 && m ? { commit: m[1], tree: m[2] } : undefined;
}
