// Undoing the last landing, for the scheduler: the target goes back (git/landingUndo.ts), the landing's
// tasks become finished again with their branches re-created, and task branches built on the landing
// are named (the undo is refused) or, when asked, rebased off its commits first so none is stranded
// carrying them.
import type { Plan } from '../core/plan';
import { transition } from '../core/task';
import { moveBranch, rebasedTip } from '../git/branchRebase';
import { git, runGit } from '../git/gitRunner';
import { listLandingRecords, recordTasks } from '../git/landingRecords';
import { undoLastLanding } from '../git/landingUndo';
import { readBranch } from '../git/repository';
import { changedKeys, worktreeChanges } from '../git/status';
import { describeFiles } from '../git/worktrees';
import type { UndoLandingResult } from '../protocol/schedulerMethods';
import type { LeaseStore } from '../store/leaseStore';
import { oneLine } from './schedulerError';
import { dependentsOfLanding, taskBranchTips, type LandingDependent } from './taskBranches';

export interface UndoContext {
  root: string;
  commonDir: string;
  store: LeaseStore;
  plan: Plan;
  log: (line: string) => void;
  /** Tells the scheduler's listeners that task state changed. */
  changed: () => void;
}

/**
 * Undoes the last landing on the plan's target when nothing landed or moved since: the target goes
 * back, the landing's tasks go back to finished, and their branches (deleted after landing) are
 * re-created at the tips that landed. Nothing is deleted.
 *
 * Task branches built on the landing (forked from the target after it) would carry its commits back:
 * the undo is refused, naming them, unless `rebaseDependents`; then each is rebased onto the target's
 * restored tip without them. Every rebase is computed before anything moves; a conflict or a worktree
 * with uncommitted changes refuses the whole undo.
 */
export async function undoLanding(ctx: UndoContext, opts: { rebaseDependents?: boolean } = {}): Promise<UndoLandingResult> {
const { root, commonDir, store, plan } = ctx;
  const target = plan.target;
  const refuse = (message: string, dependents: LandingDependent[] = []): UndoLandingResult => ({
    ok: false,
    message,
    target,
    tasks: [],
    branches: [],
    ...(dependents.length > 0 ? { dependents: dependents.map((d) => ({ task: d.task, status: d.status, branch: d.branch, ...(d.worktree ? { worktree: d.worktree } : {}) })) } : {}),
  });
  const record = (await listLandingRecords(root)).find((r) => r.target === target);
  const rebases: (LandingDependent & { to: string })[] = [];
  let dependents: LandingDependent[] = [];
  if (record && (await readBranch(root, target)) === record.after) {
    const own = (await recordTasks(root, record.commit)).map((t) => t.id);
    dependents = await dependentsOfLanding(root, { before: record.before, after: record.after, tasks: own }, await taskBranchTips(root, plan, store.read()));
    if (dependents.length > 0 && !opts.rebaseDependents) {
      const one = dependents.length === 1;
      const who = dependents.map((d) => `${d.task} (${d.status})`).join(', ');
      return refuse(
        `undo refused: ${who} ${one ? 'is' : 'are'} built on landing ${record.n}: ${one ? 'its branch' : 'their branches'} ${dependents.map((d) => d.branch).join(', ')} ${one ? 'contains' : 'contain'} the commits the undo takes off ${target}; ` +
          `undo with --rebase-dependents to rebase ${one ? 'it' : 'them'} onto ${target} without them`,
        dependents,
      );
    }
    for (const d of dependents) {
      if (!d.worktree) continue;
      const dirty = [...changedKeys(await worktreeChanges(d.worktree))];
      if (dirty.length > 0) return refuse(`undo refused: ${d.task}'s worktree ${d.worktree} has uncommitted changes (${describeFiles(dirty, 5)}); commit or discard them, then undo again`, dependents);
    }
    for (const d of dependents) {
      const r = await rebasedTip(root, commonDir, { tip: d.tip, upstream: record.after, onto: record.before });
      if (!r.ok) return refuse(`undo refused: rebasing ${d.branch} (${d.task}) off landing ${record.n} ${r.reason}: its commits build on the landing; nothing was changed`, dependents);
      rebases.push({ ...d, to: r.commit });
    }
  }
  const u = await undoLastLanding(root, target, record ? { landing: record.n } : {});
  if (!u.ok) return refuse(u.reason, dependents);
  const rebased: { task: string; branch: string; from: string; to: string }[] = [];
  const notRebased: string[] = [];
  for (const d of rebases) {
    try {
      await moveBranch(root, d.branch, d.tip, d.to, d.worktree, `lockstep: undo landing ${u.landing}: rebase ${d.branch} off it`);
      rebased.push({ task: d.task, branch: d.branch, from: d.tip, to: d.to });
    } catch (e) {
      notRebased.push(`could not rebase ${d.branch} (${oneLine(e)}): it still carries the undone commits, and landing it is refused until they are off it`);
    }
  }
  const tips = await mergedTaskTips(root, u.restored, u.undone);
  const branches: string[] = [];
  for (const t of u.tasks) {
    const tip = tips.get(t.id);
    if (!tip || (await readBranch(root, t.branch))) continue;
    try {
      await runGit(['update-ref', '-m', `lockstep: undo landing ${u.landing}: restore ${t.branch}`, `refs/heads/${t.branch}`, tip, ''], { cwd: root });
      branches.push(t.branch);
    } catch (e) {
      ctx.log(`undo landing ${u.landing}: could not re-create ${t.branch}: ${oneLine(e)}`);
    }
  }
  const back: string[] = [];
  store.transact((table) => {
    for (const t of u.tasks) {
      const rt = table.state.tasks[t.id];
      if (!rt || rt.state.status !== 'landed') continue;
      const { landedAt: _at, landedOver: _over, landedCommit: _commit, landedBranch: _branch, ...rest } = rt;
      table.setTask({ ...rest, branch: rt.branch ?? t.branch, state: transition(t.id, rt.state, { status: 'finished' }) });
      back.push(t.id);
    }
  });
  ctx.changed();
  const ids = u.tasks.map((t) => t.id);
  return {
    ok: true,
    message:
      `undid landing ${u.landing}: ${target} is back at ${u.restored.slice(0, 12)}; ${ids.join(', ')} ${ids.length === 1 ? 'is' : 'are'} finished again${branches.length ? `; re-created ${branches.join(', ')}` : ''}` +
      rebased.map((r) => `; rebased ${r.branch} onto ${target} (was ${r.from.slice(0, 12)}, now ${r.to.slice(0, 12)})`).join('') +
      notRebased.map((n) => `; ${n}`).join(''),
    target,
    restored: u.restored,
    undone: u.undone,
    tasks: back,
    branches,
    ...(rebased.length > 0 ? { rebased } : {}),
  };
}

/** Task tips the landing engine merged between two target commits (its merge commits name their task). */
async function mergedTaskTips(repoDir: string, from: string, to: string): Promise<Map<string, string>> {
  const out = await git(['log', '--first-parent', '--format=%P%x00%B%x1e', '--end-of-options', `${from}..${to}`], { cwd: repoDir });
  const tips = new Map<string, string>();
  for (const entry of out.split('\x1e')) {
    const [parents, body] = entry.trim().split('\0');
    const task = /^Lockstep-Task: (\S+)$/m.exec(body ?? '')?.[1];
    const tip = (parents ?? '').split(' ')[1];
    if (task && tip && !tips.has(task)) tips.set(task, tip);
  }
  return tips;
}
