// Removing a task's worktree when the task lands, is abandoned or its start is rolled back: one rule
// for all three, so a worktree with work in it is always kept, and always for the same stated reason.
import type { KeptItem } from '../protocol/schedulerMethods';
import { WorktreeDirtyError, WorktreeIgnoredFilesError, describeFiles, removeWorktree } from '../git/worktrees';
import { oneLine } from './schedulerError';
import { REMOVE_TASK_WORKTREE } from './taskHooks';

/** Why a worktree that could not be removed was kept, in words for the user. */
export function whyWorktreeKept(e: unknown): string {
  if (e instanceof WorktreeDirtyError) return `it has uncommitted changes (${describeFiles(e.files, 5)})`;
  if (e instanceof WorktreeIgnoredFilesError) return `it has ignored files that may be work (${describeFiles(e.files, 5)})`;
  return oneLine(e);
}

/** Removes the task worktree `wt`; what was kept instead, and why, when it holds work. */
export async function removeTaskWorktree(wt: string): Promise<KeptItem | undefined> {
  try {
    await removeWorktree(wt, REMOVE_TASK_WORKTREE);
    return undefined;
  } catch (e) {
    return { kind: 'worktree', name: wt, why: whyWorktreeKept(e) };
  }
}
