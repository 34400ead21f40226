// Merge simulation between commits without touching any checkout (`git merge-tree --write-tree`),
// and the files a branch changed.
import { GitCommandError, firstMessageLine, runGit } from './gitRunner';
import { splitNul } from './repository';

export interface TreeMerge {
  /** Tree written by the merge (contains conflict markers when not clean). */
  tree: string;
  clean: boolean;
  /** Conflicting paths, repo-relative (NFC), each once. Empty when clean. */
  conflicts: string[];
}

/** Merges commits `a` and `b` (their merge base is found by git) into a tree, in the object store only. */
export async function mergeTrees(repoDir: string, a: string, b: string): Promise<TreeMerge> {
  const out = await runGit(['merge-tree', '--write-tree', '--name-only', '--no-messages', '-z', '--end-of-options', a, b], {
    cwd: repoDir,
    okExitCodes: [1],
  });
  // Output: <tree> NUL (<conflicted path> NUL)*
  const [tree, ...paths] = splitNul(out.stdout);
  if (!tree || !/^[0-9a-f]{40,64}$/.test(tree)) {
    // merge-tree also exits 1 for unusable arguments, with nothing on stdout.
    const args = ['merge-tree', '--write-tree', a, b];
    throw new GitCommandError(args, 'exit', out.exitCode, out.stderr, `${firstMessageLine(out.stderr) || 'no tree written'} (exit ${out.exitCode})`);
  }
  const conflicts = [...new Set(paths.filter(Boolean).map((p) => p.normalize('NFC')))];
  return { tree, clean: out.exitCode === 0, conflicts };
}

/** Paths that would conflict when merging commits `a` and `b`; empty when they merge cleanly. */
export async function mergeTreeConflicts(repoDir: string, a: string, b: string): Promise<string[]> {
  return (await mergeTrees(repoDir, a, b)).conflicts;
}

export type ChangeStatus = 'added' | 'modified' | 'deleted' | 'renamed' | 'copied' | 'typechange' | 'unmerged' | 'unknown';

export interface CommittedChange {
  key: string;
  status: ChangeStatus;
  /** Source path of a rename or copy. */
  from?: string;
}

export interface ChangedSinceOptions {
  /** Compare from the merge base of `base` and `tip` (what `tip` changed since it forked), not from `base` itself. */
  fromMergeBase?: boolean;
}

/** Files changed between `base` and `tip` (name-status, renames detected). */
export async function changedSince(repoDir: string, base: string, tip: string, opts: ChangedSinceOptions = {}): Promise<CommittedChange[]> {
  const range = opts.fromMergeBase ? [`${base}...${tip}`] : [base, tip];
  const out = await runGit(['diff', '--name-status', '-z', '-M', '--no-ext-diff', '--no-textconv', '--end-of-options', ...range, '--'], { cwd: repoDir });
  return parseNameStatusZ(out.stdout);
}

/** Repo-relative paths that differ between two commits or trees (both sides of renames). */
export async function differingPaths(repoDir: string, from: string, to: string): Promise<string[]> {
  const out = await runGit(['diff', '--name-only', '-z', '--no-renames', '--no-ext-diff', '--end-of-options', from, to, '--'], { cwd: repoDir });
  return splitNul(out.stdout).map((p) => p.normalize('NFC'));
}

const STATUS_NAMES: Record<string, ChangeStatus> = { A: 'added', M: 'modified', D: 'deleted', R: 'renamed', C: 'copied', T: 'typechange', U: 'unmerged' };

export function parseNameStatusZ(text: string): CommittedChange[] {
  const fields = splitNul(text);
  const changes: CommittedChange[] = [];
  for (let i = 0; i < fields.length; i++) {
    const code = fields[i];
    const status = STATUS_NAMES[code[0]] ?? 'unknown';
    if (status === 'renamed' || status === 'copied') {
      const from = fields[++i];
      const to = fields[++i];
      changes.push({ key: to.normalize('NFC'), status, from: from.normalize('NFC') });
    } else {
      changes.push({ key: fields[++i].normalize('NFC'), status });
    }
  }
  return changes;
}
