// Cleaning what an interrupted landing left behind (doctor calls this): temporary check worktrees,
// temporary refs under refs/lockstep/tmp/, and checkout updates that were pending when the process died.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { git, runGit } from './gitRunner';
import { LANDING_TMP_PREFIX } from './refNames';
import { currentBranch, gitCommonDir, readBranch } from './repository';
import { RepoLockTimeoutError, withRepoLock } from './repoLock';
import { listWorktrees } from './worktrees';
import { readPendingMarkers, updateCheckout } from './targetCheckout';
import { LANDING_LOCK, checkWorktreesDir, isUnder, landingDir, removeCheckWorktree } from './landingWorkspace';

export interface LeftoverCleanup {
  /** Set when a landing is running right now: nothing was touched. */
  skipped?: string;
  removedWorktrees: string[];
  removedRefs: string[];
  /** Checkouts of a target brought up to date with the ref an interrupted landing (or undo) moved. */
  completedCheckouts: string[];
  /** What could not be cleaned, and why. */
  problems: string[];
}

export async function cleanupLandingLeftovers(repoDir: string): Promise<LeftoverCleanup> {
  const dir = path.resolve(repoDir);
  const commonDir = await gitCommonDir(dir);
  const report: LeftoverCleanup = { removedWorktrees: [], removedRefs: [], completedCheckouts: [], problems: [] };
  try {
    return await withRepoLock(commonDir, LANDING_LOCK, () => clean(dir, commonDir, report), { waitMs: 0 });
  } catch (err) {
    if (err instanceof RepoLockTimeoutError) return { ...report, skipped: `a landing is in progress (${err.message})` };
    throw err;
  }
}

async function clean(repoDir: string, commonDir: string, report: LeftoverCleanup): Promise<LeftoverCleanup> {
  // Temporary check worktrees: registered ones, then stray folders.
  const checks = checkWorktreesDir(commonDir);
  for (const w of await listWorktrees(repoDir)) {
    if (!isUnder(checks, w.path)) continue;
    try {
      await removeCheckWorktree(repoDir, commonDir, w.path);
      report.removedWorktrees.push(w.path);
    } catch (err) {
      report.problems.push(`could not remove ${w.path}: ${(err as Error).message}`);
    }
  }
  if (fs.existsSync(checks)) {
    for (const name of fs.readdirSync(checks)) {
      const p = path.join(checks, name);
      fs.rmSync(p, { recursive: true, force: true });
      if (!report.removedWorktrees.includes(p)) report.removedWorktrees.push(p);
    }
  }
  await runGit(['worktree', 'prune'], { cwd: repoDir });

  // Temporary refs.
  const refs = await git(['for-each-ref', '--format=%(refname) %(objectname)', LANDING_TMP_PREFIX], { cwd: repoDir });
  for (const line of refs.split('\n').filter(Boolean)) {
    const [ref, oid] = line.split(' ');
    await runGit(['update-ref', '-d', ref, oid], { cwd: repoDir });
    report.removedRefs.push(ref);
  }

  // Checkout updates interrupted after the ref moved.
  for (const { file, update } of readPendingMarkers(landingDir(commonDir))) {
    if (!update) {
      fs.rmSync(file, { force: true });
      continue;
    }
    const now = await readBranch(repoDir, update.target);
    const onTarget = fs.existsSync(update.worktree) && (await currentBranch(update.worktree).catch(() => undefined)) === update.target;
    if (now === update.to && onTarget) {
      try {
        await updateCheckout(update.worktree, update.from, update.to);
        report.completedCheckouts.push(update.worktree);
      } catch (err) {
        report.problems.push(`the checkout at ${update.worktree} is behind ${update.target}: ${(err as Error).message}; run \`git read-tree -m -u ${update.from} ${update.to}\` there after saving local changes`);
        continue;
      }
    }
    // Otherwise the ref never moved (crash before the swap) or moved on since: nothing to finish.
    fs.rmSync(file, { force: true });
  }
  return report;
}
