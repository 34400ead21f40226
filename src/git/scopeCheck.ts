// Whether a task branch stayed inside its task's scope: the files it changes since it forked from the
// target, checked against the scope's globs (as the hooks match them). Scopes are what made running the
// tasks in parallel safe, so a commit outside one (a shell write, a hand commit) is named at landing.
import picomatch from 'picomatch';
import { git } from './gitRunner';

/** Files `tip` changes relative to its merge base with `targetTip` that no glob of `scope` matches, sorted. */
export async function filesOutsideScope(repoDir: string, targetTip: string, tip: string, scope: readonly string[]): Promise<string[]> {
  const base = await git(['merge-base', '--end-of-options', targetTip, tip], { cwd: repoDir }).catch(() => '');
  if (!base) return [];
  // --no-renames: a rename writes both paths, and both must be in scope.
  const out = await git(['diff', '--name-only', '-z', '--no-renames', '--no-ext-diff', '--end-of-options', base, tip], { cwd: repoDir });
  const inScope = scope.length > 0 ? picomatch([...scope], { dot: true }) : () => false;
  return out.split('\0').filter((f) => f.length > 0 && !inScope(f)).sort();
}
