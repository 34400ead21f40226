// Rebasing a task branch off commits that left the target (an undone landing): the branch's own
// commits are replayed onto the target's new tip in a temporary worktree first, so nothing a person
// or agent sees changes until every rebase is known to succeed; then the branch moves by
// compare-and-swap (in its worktree with `reset --keep`, which refuses to touch local changes).
import { randomBytes } from 'node:crypto';
import { GitCommandError, git, runGit } from './gitRunner';
import { addCheckWorktree, removeCheckWorktree } from './landingWorkspace';

export type RebaseResult = { ok: true; commit: string } | { ok: false; paths: string[]; reason: string };

// Used when the repository has no identity configured (as the landing engine does).
const FALLBACK_IDENTITY = { GIT_AUTHOR_NAME: 'Lockstep', GIT_AUTHOR_EMAIL: 'lockstep@localhost', GIT_COMMITTER_NAME: 'Lockstep', GIT_COMMITTER_EMAIL: 'lockstep@localhost' };

/**
 * The commit `tip` becomes when the commits it shares with `upstream` are dropped and its own are
 * replayed onto `onto` (`git rebase --onto onto upstream tip`), computed in a temporary worktree
 * without moving any ref. A conflict answers with the conflicting paths.
 */
export async function rebasedTip(repoDir: string, commonDir: string, opts: { tip: string; upstream: string; onto: string }): Promise<RebaseResult> {
  const wt = await addCheckWorktree(repoDir, commonDir, `rebase-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`, opts.onto);
  try {
    // No hooks (the repository's own would run in a throwaway worktree) and no editor.
    const args = ['-c', 'core.hooksPath=/dev/null', '-c', 'rebase.autoStash=false', 'rebase', '--no-autosquash', '--onto', opts.onto, opts.upstream, opts.tip];
    let env: Record<string, string> = { GIT_EDITOR: 'true' };
    if (!(await hasIdentity(wt))) env = { ...env, ...FALLBACK_IDENTITY };
    const r = await runGit(args, { cwd: wt, env, okExitCodes: [1] });
    if (r.exitCode === 0) return { ok: true, commit: await git(['rev-parse', 'HEAD'], { cwd: wt }) };
    const paths = (await git(['diff', '--name-only', '--diff-filter=U', '-z'], { cwd: wt }).catch(() => '')).split('\0').filter(Boolean).sort();
    await runGit(['rebase', '--abort'], { cwd: wt, okExitCodes: [1, 128] }).catch(() => undefined);
    return { ok: false, paths, reason: paths.length > 0 ? `conflicts in ${paths.join(', ')}` : (r.stderr.trim().split('\n')[0] ?? 'git rebase failed') };
  } finally {
    await removeCheckWorktree(repoDir, commonDir, wt);
  }
}

async function hasIdentity(dir: string): Promise<boolean> {
  try {
    await git(['var', 'GIT_COMMITTER_IDENT'], { cwd: dir });
    await git(['var', 'GIT_AUTHOR_IDENT'], { cwd: dir });
    return true;
  } catch (e) {
    if (e instanceof GitCommandError) return false;
    throw e;
  }
}

/**
 * Moves `branch` from `from` to `to`. When it is checked out in `worktree`, there, with
 * `reset --keep` (files follow; local changes are never overwritten: git refuses instead).
 * Throws when the branch is no longer at `from` (someone committed meanwhile).
 */
export async function moveBranch(repoDir: string, branch: string, from: string, to: string, worktree: string | undefined, why: string): Promise<void> {
  if (!worktree) {
    await runGit(['update-ref', '-m', why, `refs/heads/${branch}`, to, from], { cwd: repoDir });
    return;
  }
  const head = await git(['rev-parse', 'HEAD'], { cwd: worktree });
  const checkedOut = await git(['symbolic-ref', '-q', '--short', 'HEAD'], { cwd: worktree }).catch(() => '');
  if (checkedOut !== branch) throw new Error(`${worktree} no longer has ${branch} checked out`);
  if (head !== from) throw new Error(`${branch} moved to ${head.slice(0, 12)} meanwhile`);
  await runGit(['reset', '--keep', to], { cwd: worktree, env: { GIT_REFLOG_ACTION: why } });
}
