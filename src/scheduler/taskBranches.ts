// Task branches as the scheduler sees them when landing or undoing: which tasks a branch carries
// commits of (it must not land them under its own name), and which task branches are built on a
// landing (undoing it would strand them carrying its commits).
import { taskBranch, type Plan } from '../core/plan';
import type { LeaseTableState } from '../core/model';
import { carriedBranches, carriedLandings, firstLandedCommit } from '../git/carriedCommits';
import { git } from '../git/gitRunner';
import { isAncestor } from '../git/repository';
import { listWorktrees } from '../git/worktrees';

export interface TaskBranchTip {
  task: string;
  branch: string;
  tip: string;
  /** Status in the store ('queued' when it never ran: work done by hand). */
  status: string;
}

/** Every write task's branch that exists (plan tasks and tasks the store knows), in one git call. */
export async function taskBranchTips(root: string, plan: Plan, state: LeaseTableState): Promise<TaskBranchTip[]> {
  const out = await git(['for-each-ref', '--format=%(refname)%00%(objectname)', 'refs/heads/lockstep/'], { cwd: root });
  const tips = new Map<string, string>();
  for (const line of out.split('\n')) {
    const [ref, commit] = line.split('\0');
    if (ref && commit) tips.set(ref.slice('refs/heads/'.length), commit);
  }
  const ids = new Set([...plan.tasks.filter((t) => !t.readOnly).map((t) => t.id), ...Object.keys(state.tasks)]);
  const result: TaskBranchTip[] = [];
  for (const id of ids) {
    const branch = state.tasks[id]?.branch ?? taskBranch(id);
    const tip = tips.get(branch);
    if (tip) result.push({ task: id, branch, tip, status: state.tasks[id]?.state.status ?? 'queued' });
  }
  return result;
}

/**
 * Tasks whose commits the target lacks that `tip` (task `id`'s branch) carries: other task branches it
 * is built on, and landings of other tasks it forked from that are no longer on the target (undone).
 * `landingFirst` are tasks landing before it in the same landing: carrying theirs is fine.
 */
export async function carriedTasks(root: string, targetTip: string, id: string, tip: string, branches: readonly TaskBranchTip[], landingFirst: ReadonlySet<string>): Promise<{ task: string; undoneLanding: boolean }[]> {
  const others = branches.filter((b) => b.task !== id && !landingFirst.has(b.task));
  const viaBranch = (await carriedBranches(root, targetTip, tip, others)).map((b) => b.task);
  const viaLanding = (await carriedLandings(root, targetTip, tip)).filter((t) => t !== id && !landingFirst.has(t) && !viaBranch.includes(t));
  return [...viaBranch.map((task) => ({ task, undoneLanding: false })), ...viaLanding.map((task) => ({ task, undoneLanding: true }))];
}

export interface LandingDependent extends TaskBranchTip {
  /** Where the branch is checked out, when it is. */
  worktree?: string;
}

/** Task branches (other than the landing's own) that contain the commits landing before → after put on the target. */
export async function dependentsOfLanding(root: string, landing: { before: string; after: string; tasks: readonly string[] }, branches: readonly TaskBranchTip[]): Promise<LandingDependent[]> {
  const first = await firstLandedCommit(root, landing.before, landing.after);
  if (!first) return [];
  const deps: TaskBranchTip[] = [];
  for (const b of branches) {
    if (landing.tasks.includes(b.task)) continue;
    if (await isAncestor(root, first, b.tip)) deps.push(b);
  }
  if (deps.length === 0) return [];
  const worktrees = await listWorktrees(root);
  return deps.map((d) => {
    const wt = worktrees.find((w) => w.branch === d.branch && !w.bare);
    return { ...d, ...(wt ? { worktree: wt.path } : {}) };
  });
}
