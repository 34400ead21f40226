// Keeping a checkout of the target branch (usually the main checkout) consistent when the landing
// engine moves the branch under it: refuse when local changes touch landed files, otherwise update the
// index and files with a two-tree `read-tree -m -u`. A marker file records an update in flight so a
// crash between moving the ref and updating the checkout is finished later by cleanup.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { GitCommandError, firstMessageLine, runGit } from './gitRunner';
import { differingPaths } from './mergeTree';
import { changedKeys, worktreeChanges } from './status';

export interface CheckoutBlock {
  worktree: string;
  /** Local changes in the checkout that the move would overwrite. */
  paths: string[];
  reason: string;
}

/** Paths with uncommitted or untracked changes in `worktree` among those that differ between `from` and `to`. */
export async function checkoutConflicts(repoDir: string, worktree: string, from: string, to: string): Promise<CheckoutBlock | undefined> {
  const touched = new Set(await differingPaths(repoDir, from, to));
  const dirty = changedKeys(await worktreeChanges(worktree));
  const paths = [...dirty].filter((k) => touched.has(k)).sort();
  if (paths.length > 0) return { worktree, paths, reason: `the checkout at ${worktree} has uncommitted changes to files the landing changes: ${paths.join(', ')}` };
  // Anything status cannot see (directory/file clashes, ignored files in the way): ask git, without changing anything.
  await refreshIndex(worktree);
  try {
    await runGit(['read-tree', '-m', '-u', '-n', from, to], { cwd: worktree });
  } catch (err) {
    if (!(err instanceof GitCommandError) || err.kind !== 'exit') throw err;
    // git names the paths either quoted in the message or as an indented list below it.
    const quoted = [...err.stderr.matchAll(/^error: .*?'([^']+)'/gm)].map((m) => m[1]);
    const listed = [...err.stderr.matchAll(/^\t(\S.*)$/gm)].map((m) => m[1]);
    const named = [...new Set([...quoted, ...listed])].sort();
    return { worktree, paths: named, reason: `the checkout at ${worktree} cannot be updated: ${firstMessageLine(err.stderr)}` };
  }
  return undefined;
}

/** Moves the index and files of `worktree` from tree `from` to `to`, keeping unrelated local changes. */
export async function updateCheckout(worktree: string, from: string, to: string): Promise<void> {
  await refreshIndex(worktree);
  await runGit(['read-tree', '-m', '-u', from, to], { cwd: worktree });
}

async function refreshIndex(worktree: string): Promise<void> {
  // Exit 1 only means some files differ from the index; the stat refresh still happened.
  await runGit(['update-index', '-q', '--refresh'], { cwd: worktree, okExitCodes: [1] });
}

export interface PendingCheckoutUpdate {
  worktree: string;
  target: string;
  from: string;
  to: string;
}

export function pendingDir(landingDir: string): string {
  return path.join(landingDir, 'pending');
}

/** Records that `worktree` must move from `from` to `to` once the target ref has moved. Returns the marker path. */
export function writePendingMarker(landingDir: string, update: PendingCheckoutUpdate): string {
  const dir = pendingDir(landingDir);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `checkout-${Date.now()}-${randomBytes(4).toString('hex')}.json`);
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(update));
  fs.renameSync(tmp, file);
  return file;
}

export function readPendingMarkers(landingDir: string): { file: string; update?: PendingCheckoutUpdate }[] {
  const dir = pendingDir(landingDir);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((n) => n.endsWith('.json') || n.endsWith('.tmp'))
    .map((n) => {
      const file = path.join(dir, n);
      try {
        const u = JSON.parse(fs.readFileSync(file, 'utf8')) as PendingCheckoutUpdate;
        return typeof u.worktree === 'string' && typeof u.from === 'string' && typeof u.to === 'string' && typeof u.target === 'string' ? { file, update: u } : { file };
      } catch {
        return { file };
      }
    });
}
