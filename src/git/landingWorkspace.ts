// Where the landing engine keeps its throwaway state: temporary check worktrees under
// <git common dir>/lockstep-landing/worktrees/, pending checkout markers under .../pending/.
// Code run by a check in such a worktree finds the repository's node_modules by walking up.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { climbsOut } from '../core/pathKey';
import { runGit } from './gitRunner';
import { withRepoLock } from './repoLock';
import { WORKTREE_LOCK, addDetachedWorktree, adminDirFor, listWorktrees, samePath } from './worktrees';

/** Lock held for a whole landing or undo (and by cleanup), per repository. */
export const LANDING_LOCK = 'landing';
/** Lock reason of the temporary check worktrees. */
export const CHECK_WORKTREE_REASON = 'lockstep landing check (temporary)';

export function landingDir(commonDir: string): string {
  return path.join(commonDir, 'lockstep-landing');
}

export function checkWorktreesDir(commonDir: string): string {
  return path.join(landingDir(commonDir), 'worktrees');
}

/** Creates a detached, locked temporary worktree for `commit` under the check folder. */
export async function addCheckWorktree(repoDir: string, commonDir: string, name: string, commit: string): Promise<string> {
  const dir = checkWorktreesDir(commonDir);
  fs.mkdirSync(dir, { recursive: true });
  const wt = path.join(dir, name);
  await addDetachedWorktree(repoDir, wt, commit, CHECK_WORKTREE_REASON, commonDir);
  return wt;
}

/**
 * Removes a temporary check worktree. It holds no one's work (only the candidate and what the check
 * produced), so it is removed with force; when git cannot, the folder is deleted and the record pruned.
 */
export async function removeCheckWorktree(repoDir: string, commonDir: string, wt: string): Promise<void> {
  if (!isUnder(checkWorktreesDir(commonDir), wt)) throw new Error(`refusing to force-remove ${wt}: not a temporary check worktree`);
  await withRepoLock(commonDir, WORKTREE_LOCK, async () => {
    try {
      await runGit(['worktree', 'remove', '--force', '--force', '--', wt], { cwd: repoDir });
      return;
    } catch {
      // Not registered, or git could not delete it: unlock the record, delete the folder, prune.
    }
    const registered = (await listWorktrees(repoDir)).some((w) => samePath(w.path, wt));
    if (registered) {
      const admin = adminDirFor(commonDir, wt);
      if (admin) fs.rmSync(path.join(admin, 'locked'), { force: true });
    }
    fs.rmSync(wt, { recursive: true, force: true });
    await runGit(['worktree', 'prune'], { cwd: repoDir });
  });
}

export function isUnder(dir: string, p: string): boolean {
  const rel = path.relative(path.resolve(dir), path.resolve(p));
  return rel !== '' && !climbsOut(rel) && !path.isAbsolute(rel);
}
