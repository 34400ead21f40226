// Uncommitted changes of one worktree, parsed from `git status --porcelain=v2 -z`.
import { runGit } from './gitRunner';

export type ChangeKind = 'modified' | 'added' | 'deleted' | 'renamed' | 'copied' | 'typechange' | 'unmerged' | 'untracked';

export interface WorktreeChange {
  /** Repo-relative POSIX path (NFC). */
  key: string;
  kind: ChangeKind;
  /** Original path of a rename or copy. */
  from?: string;
  /** Change recorded in the index. */
  staged: boolean;
  /** Change in the working tree not yet in the index (always true for untracked). */
  unstaged: boolean;
  /** The entry is a submodule. */
  submodule: boolean;
}

/** Uncommitted changes (tracked and untracked, not ignored) of the worktree at `worktreeDir`. */
export async function worktreeChanges(worktreeDir: string): Promise<WorktreeChange[]> {
  // GIT_OPTIONAL_LOCKS=0: do not refresh the index (no index.lock contention with agents' own git).
  const out = await runGit(['status', '--porcelain=v2', '-z', '--untracked-files=all', '--ignored=no'], {
    cwd: worktreeDir,
    env: { GIT_OPTIONAL_LOCKS: '0' },
  });
  return parsePorcelainV2(out.stdout);
}

/** Every key a change touches (both sides of renames). */
export function changedKeys(changes: readonly WorktreeChange[]): Set<string> {
  const keys = new Set<string>();
  for (const c of changes) {
    keys.add(c.key);
    if (c.from !== undefined) keys.add(c.from);
  }
  return keys;
}

export function parsePorcelainV2(text: string): WorktreeChange[] {
  const fields = text.split('\0');
  const changes: WorktreeChange[] = [];
  for (let i = 0; i < fields.length; i++) {
    const rec = fields[i];
    if (rec === '' || rec.startsWith('#')) continue;
    const type = rec[0];
    if (type === '?') {
      changes.push({ key: nfc(rec.slice(2)), kind: 'untracked', staged: false, unstaged: true, submodule: false });
    } else if (type === '!') {
      continue;
    } else if (type === '1') {
      // 1 <XY> <sub> <mH> <mI> <mW> <hH> <hI> <path>
      const parts = splitN(rec, 9);
      changes.push(ordinary(parts[1], parts[2], parts[8]));
    } else if (type === '2') {
      // 2 <XY> <sub> <mH> <mI> <mW> <hH> <hI> <X><score> <path> NUL <origPath>
      const parts = splitN(rec, 10);
      const from = fields[++i];
      const xy = parts[1];
      const kind: ChangeKind = parts[8].startsWith('C') ? 'copied' : 'renamed';
      changes.push({ key: nfc(parts[9]), kind, from: nfc(from), staged: xy[0] !== '.', unstaged: xy[1] !== '.', submodule: parts[2][0] === 'S' });
    } else if (type === 'u') {
      // u <XY> <sub> <m1> <m2> <m3> <mW> <h1> <h2> <h3> <path>
      const parts = splitN(rec, 11);
      changes.push({ key: nfc(parts[10]), kind: 'unmerged', staged: true, unstaged: true, submodule: parts[2][0] === 'S' });
    } else {
      throw new Error(`git status: unexpected porcelain v2 record ${JSON.stringify(rec.slice(0, 40))}`);
    }
  }
  return changes;
}

function ordinary(xy: string, sub: string, file: string): WorktreeChange {
  const [x, y] = [xy[0], xy[1]];
  const code = x !== '.' ? x : y;
  const kind: ChangeKind = code === 'A' ? 'added' : code === 'D' ? 'deleted' : code === 'T' ? 'typechange' : 'modified';
  // A deletion in the worktree of a file added in the index is still "added" from HEAD's point of view.
  const effective: ChangeKind = x === 'A' ? 'added' : y === 'D' && x === '.' ? 'deleted' : kind;
  return { key: nfc(file), kind: effective, staged: x !== '.', unstaged: y !== '.', submodule: sub[0] === 'S' };
}

// Splits into at most n fields on single spaces; the last keeps any spaces (paths may contain them).
function splitN(rec: string, n: number): string[] {
  const parts: string[] = [];
  let rest = rec;
  for (let k = 0; k < n - 1; k++) {
    const sp = rest.indexOf(' ');
    if (sp < 0) throw new Error(`git status: malformed record ${JSON.stringify(rec.slice(0, 40))}`);
    parts.push(rest.slice(0, sp));
    rest = rest.slice(sp + 1);
  }
  parts.push(rest);
  return parts;
}

function nfc(p: string): string {
  return p.normalize('NFC');
}
