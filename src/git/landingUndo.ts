// Undoing the last landing onto a target: only while the target is still exactly where that landing
// left it (nothing landed or moved since); the record moves to refs/lockstep/undone/<n>.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertBranchName } from './refNames';
import { gitCommonDir, readBranch } from './repository';
import { withRepoLock } from './repoLock';
import { listWorktrees } from './worktrees';
import { listLandingRecords, recordTasks, refTransaction, undoneRef } from './landingRecords';
import { checkoutConflicts, updateCheckout, writePendingMarker } from './targetCheckout';
import { LANDING_LOCK, landingDir } from './landingWorkspace';

export type UndoResult =
  | { ok: true; landing: number; target: string; restored: string; undone: string; tasks: { id: string; branch: string }[]; checkoutErrors: { worktree: string; error: string }[] }
  | { ok: false; reason: string; paths?: string[] };

/** `opts.landing`: undo only if the last landing is still that one (the caller looked at it first). */
export async function undoLastLanding(repoDir: string, target: string, opts: { lockWaitMs?: number; landing?: number } = {}): Promise<UndoResult> {
  assertBranchName(target, 'target');
  const dir = path.resolve(repoDir);
  const commonDir = await gitCommonDir(dir);
  return withRepoLock(
    commonDir,
    LANDING_LOCK,
    async (): Promise<UndoResult> => {
      const record = (await listLandingRecords(dir)).find((r) => r.target === target);
      if (!record) return { ok: false, reason: `no landing onto ${target} is recorded` };
      if (opts.landing !== undefined && record.n !== opts.landing) return { ok: false, reason: `landing ${record.n} onto ${target} happened meanwhile; undo refused` };
      const now = await readBranch(dir, target);
      if (now !== record.after) {
        return {
          ok: false,
          reason: `${target} is at ${now ? now.slice(0, 12) : '(deleted)'}, not at the result of landing ${record.n} (${record.after.slice(0, 12)}): something landed or moved since; undo refused`,
        };
      }
      const checkouts = (await listWorktrees(dir)).filter((w) => w.branch === target && !w.bare);
      for (const w of checkouts) {
        const block = await checkoutConflicts(dir, w.path, record.after, record.before);
        if (block) return { ok: false, reason: `undo refused: ${block.reason}`, paths: block.paths };
      }
      const markers = checkouts.map((w) => writePendingMarker(landingDir(commonDir), { worktree: w.path, target, from: record.after, to: record.before }));
      try {
        await refTransaction(
          dir,
          [`update refs/heads/${target} ${record.before} ${record.after}`, `delete ${record.ref} ${record.commit}`, `create ${undoneRef(record.n)} ${record.commit}`],
          `lockstep: undo landing ${record.n} onto ${target}`,
        );
      } catch (err) {
        for (const m of markers) fs.rmSync(m, { force: true });
        const again = await readBranch(dir, target);
        if (again !== record.after) return { ok: false, reason: `${target} moved during the undo; undo refused` };
        throw err;
      }
      const checkoutErrors: { worktree: string; error: string }[] = [];
      for (const [i, w] of checkouts.entries()) {
        try {
          await updateCheckout(w.path, record.after, record.before);
          fs.rmSync(markers[i], { force: true });
        } catch (err) {
          checkoutErrors.push({ worktree: w.path, error: (err as Error).message });
        }
      }
      return { ok: true, landing: record.n, target, restored: record.before, undone: record.after, tasks: await recordTasks(dir, record.commit), checkoutErrors };
    },
    { waitMs: opts.lockWaitMs ?? 600_000 },
  );
}
