// Whose commits a task branch carries: a branch forked from a landing that was then undone, or built
// on another task's branch, would bring that work onto the target under its own name. These answer
// which landings and which other branches a branch is built on, and whether a branch's work reached
// the target through a merge (landed another way).
import { git } from './gitRunner';
import { isAncestor } from './repository';

/** The first commit landing (before → after) put on the target's first-parent line; every later one descends from it. */
export async function firstLandedCommit(repoDir: string, before: string, after: string): Promise<string | undefined> {
  const out = await git(['rev-list', '--first-parent', '--reverse', '--end-of-options', after, `^${before}`], { cwd: repoDir });
  return out.split('\n')[0] || undefined;
}

/**
 * Branches among `others` whose commits `tip` carries although `targetTip` lacks them. A branch built
 * on `tip` (tip is its ancestor) is not carried: the commits they share are tip's own.
 */
export async function carriedBranches<T extends { tip: string }>(repoDir: string, targetTip: string, tip: string, others: readonly T[]): Promise<T[]> {
  const out: T[] = [];
  for (const other of others) {
    if (other.tip === tip || (await isAncestor(repoDir, other.tip, targetTip)) || (await isAncestor(repoDir, tip, other.tip))) continue;
    const bases = (await git(['merge-base', '--all', '--end-of-options', tip, other.tip], { cwd: repoDir, okExitCodes: [1] })).split('\n').filter(Boolean);
    for (const b of bases) {
      if (!(await isAncestor(repoDir, b, targetTip))) {
        out.push(other);
        break;
      }
    }
  }
  return out;
}

/** Tasks whose landing merges (`Lockstep-Task:` trailers) `tip` carries but `targetTip` lacks: undone landings it was built on. */
export async function carriedLandings(repoDir: string, targetTip: string, tip: string): Promise<string[]> {
  const out = await git(['log', '--merges', '--format=%B%x1e', '--end-of-options', tip, `^${targetTip}`], { cwd: repoDir });
  const tasks = new Set<string>();
  for (const body of out.split('\x1e')) {
    const task = /^Lockstep-Task: (\S+)$/m.exec(body)?.[1];
    if (task) tasks.add(task);
  }
  return [...tasks];
}

/**
 * True when `tip` is in the target's history but not on its first-parent line: a merge brought it
 * there, so its commits landed (another task carried them, or a person merged it). A branch that never
 * left the target's line (no commits of its own) is not.
 */
export async function landedThroughMerge(repoDir: string, targetTip: string, tip: string): Promise<boolean> {
  if (tip === targetTip || !(await isAncestor(repoDir, tip, targetTip))) return false;
  const out = await git(['rev-list', '--first-parent', '--parents', '--end-of-options', targetTip, `^${tip}`], { cwd: repoDir });
  const last = out.split('\n').filter(Boolean).pop();
  return last !== undefined && last.split(' ')[1] !== tip;
}
