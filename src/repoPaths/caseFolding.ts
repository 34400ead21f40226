// Case-insensitive file systems (macOS and Windows by default, ext4/f2fs casefold folders): there
// `src/Foo.ts` and `src/foo.ts` are one file, so they must be one lease key. Whether a worktree's
// folder folds names is read from the file system itself, with no write: every worktree has a `.git`
// entry, so `.GIT` exists exactly when names fold. Checked once per worktree and process.
import * as fs from 'node:fs';
import * as path from 'node:path';

const known = new Map<string, boolean>();

/** Whether names in the worktree folder `worktreeRoot` fold case. */
export function foldsCase(worktreeRoot: string): boolean {
  let v = known.get(worktreeRoot);
  if (v === undefined) {
    v = fs.existsSync(path.join(worktreeRoot, '.GIT'));
    known.set(worktreeRoot, v);
  }
  return v;
}

/** The lease key of `key` in that worktree: lower case where the file system folds names. */
export function foldKey(worktreeRoot: string, key: string): string {
  return foldsCase(worktreeRoot) ? key.toLowerCase() : key;
}
