// `lockstep doctor`'s look at task worktrees: records of Lockstep's worktrees whose folder was deleted
// (git never prunes them: Lockstep creates them locked) and worktrees left half-created by a start that
// was interrupted (its start marker outlived its process) or by any other crash during `worktree add`.
// Branches are never touched; a half-created worktree is repaired only when nothing in it can be work.
import * as fs from 'node:fs';
import { isLockstepLocked, pruneWorktrees, repairHalfCreatedWorktree, samePath, listWorktrees, vanishedWorktrees, worktreeCrashState } from '../git/worktrees';
import { TASK_BRANCH_PREFIX } from '../git/refNames';
import { openLeaseStore } from '../store/openLeaseStore';
import { storePaths } from '../store/storePaths';
import { startMarkerTasks, startProgress } from './startMarker';
import { ownRecord } from '../core/ownRecord';

export interface WorktreeDoctorReport {
  /** What was repaired (with `repair: false`: what would be), one line each. */
  actions: string[];
  /** What needs a person, one line each. */
  problems: string[];
}

export async function doctorTaskWorktrees(opts: { repoDir: string; commonDir: string; repair: boolean }): Promise<WorktreeDoctorReport> {
  const { repoDir, commonDir, repair } = opts;
  const report: WorktreeDoctorReport = { actions: [], problems: [] };
  const isTaskBranch = (b: string | undefined) => b?.startsWith(TASK_BRANCH_PREFIX) ?? false;

  // 1. Records whose folder is gone.
  const vanished = (await vanishedWorktrees(repoDir)).filter((w) => isTaskBranch(w.branch) || isLockstepLocked(w));
  const what = (w: { path: string; branch?: string }) => `${w.path}${w.branch ? ` (branch ${w.branch} stays)` : ''}`;
  if (!repair) {
    for (const w of vanished) report.actions.push(`would forget the record of the deleted worktree ${what(w)}`);
  } else if (vanished.length > 0) {
    const forgotten = await pruneWorktrees(repoDir);
    for (const p of forgotten) {
      const w = vanished.find((v) => samePath(v.path, p)) ?? { path: p };
      report.actions.push(`forgot the record of the deleted worktree ${what(w)}`);
    }
    for (const w of vanished.filter((v) => !forgotten.some((p) => samePath(p, v.path)))) {
      report.problems.push(`the deleted worktree ${w.path} is locked by someone else (${JSON.stringify(w.locked ?? '')}); run \`git worktree unlock\` and \`git worktree prune\` if it is gone for good`);
    }
  }

  // 2. Worktrees left half-created: of interrupted starts (by their markers), and any task worktree.
  const storeDir = storePaths(commonDir).dir;
  let tasks: Record<string, { worktree?: string }> = ownRecord();
  try {
    tasks = openLeaseStore(commonDir).read().tasks;
  } catch {
    /* no or bad state: the store checks report it; registered worktrees are still looked at */
  }
  const registered = (await listWorktrees(repoDir)).filter((w) => !w.main && isTaskBranch(w.branch));
  const busy = new Set<string>();
  const candidates: { task: string; path: string; why: string }[] = [];
  const add = (task: string, p: string | undefined, why: string) => {
    if (p && fs.existsSync(p) && !candidates.some((c) => samePath(c.path, p))) candidates.push({ task, path: p, why });
  };
  for (const task of startMarkerTasks(storeDir)) {
    const progress = startProgress(storeDir, task);
    if (progress.state !== 'interrupted') {
      busy.add(task); // a start is under way: its worktree is its own business
      continue;
    }
    const why = `an interrupted start (${progress.reason})`;
    add(task, tasks[task]?.worktree, why);
    for (const w of registered.filter((r) => r.branch === `${TASK_BRANCH_PREFIX}${task}`)) add(task, w.path, why);
  }
  for (const w of registered) {
    const task = w.branch!.slice(TASK_BRANCH_PREFIX.length);
    if (!busy.has(task)) add(task, w.path, 'a crash');
  }
  for (const c of candidates) {
    if (busy.has(c.task)) continue;
    const state = await worktreeCrashState(repoDir, c.path);
    if (state === 'complete' || state === 'unregistered') continue;
    const [verb, done] =
      state === 'interrupted-checkout'
        ? ['finish', `the checkout of the worktree ${c.path} of task '${c.task}', left half-created by ${c.why}`]
        : ['discard', `the half-made registration of the worktree ${c.path} of task '${c.task}', left by ${c.why}; the next start creates it again`];
    if (!repair) {
      report.actions.push(`would ${verb} ${done}`);
      continue;
    }
    try {
      await repairHalfCreatedWorktree(repoDir, c.path);
      report.actions.push(`${verb === 'finish' ? 'finished' : 'discarded'} ${done}`);
    } catch (e) {
      report.problems.push(`task '${c.task}': ${(e as Error).message.split('\n')[0]}`);
    }
  }
  return report;
}
