// Files Lockstep itself wrote for someone (hook configuration from Install Agent Hooks or
// `lockstep hooks install`, the plan from Create a Plan or `lockstep task add`): recorded as that
// session's edits with tool LOCKSTEP_WRITE_TOOL, so the editing model counts them as that person's
// work, not as unleased edits (engine/editingModel.ts), until someone changes them again.
import type { SessionInit } from '../core/leaseTable';
import { LOCKSTEP_WRITE_TOOL } from '../core/lockstepFolder';
import { resolveEditKey } from '../repoPaths/repoLocator';
import type { LeaseStore } from './leaseStore';

/** Records `files` (absolute) as `session`'s edits in the worktree at `worktreeRoot`; returns their keys (files outside it are skipped). */
export function recordLockstepWrites(store: LeaseStore, session: SessionInit, worktreeRoot: string, files: readonly string[]): string[] {
  const keys = files.flatMap((f) => {
    try {
      return [resolveEditKey(f, worktreeRoot).key];
    } catch {
      return []; // outside this worktree (the user's own settings): no edit of the repository
    }
  });
  if (keys.length === 0) return keys;
  store.transact((t) => {
    t.touchSession(session);
    for (const key of keys) t.recordEdit({ key, session: session.id, worktree: worktreeRoot, tool: LOCKSTEP_WRITE_TOOL, source: 'cli' });
  });
  return keys;
}
