// Repositories nested inside a worktree: git submodules (and clones checked out inside another
// repository). A submodule is its own repository with its own Lockstep store, so a file inside one is
// keyed there, relative to the submodule's top folder. Pure fs, like repoLocator.ts: the hook runs it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { climbsOut } from '../core/pathKey';
import { locateRepo, type RepoLocation } from '../repoPaths/repoLocator';

function isStrictlyInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel !== '' && !climbsOut(rel) && !path.isAbsolute(rel);
}

/** The repository nested inside `outer`'s worktree that holds `abs` (after symlinks), or undefined. */
export function nestedRepoOf(abs: string, outer: RepoLocation): RepoLocation | undefined {
  let loc: RepoLocation;
  try {
    loc = locateRepo(abs);
  } catch {
    return undefined;
  }
  if (loc.commonDir === outer.commonDir) return undefined;
  return isStrictlyInside(loc.worktreeRoot, outer.worktreeRoot) ? loc : undefined;
}

/** `core.worktree` of a submodule's git dir (`<super>/.git/modules/<name>`), resolved. */
function submoduleWorktree(gitDir: string): string | undefined {
  let config: string;
  try {
    config = fs.readFileSync(path.join(gitDir, 'config'), 'utf8');
  } catch {
    return undefined;
  }
  const m = /^\s*worktree\s*=\s*(.+?)\s*$/m.exec(config);
  if (!m) return undefined;
  try {
    return fs.realpathSync(path.resolve(gitDir, m[1]!.replace(/^"(.*)"$/, '$1')));
  } catch {
    return undefined;
  }
}

/**
 * The submodules of the repository at `commonDir` (nested ones too) that already have a Lockstep
 * store: where a session's leases in submodules live. Reads `<commonDir>/modules`; none: [].
 */
export function submodulesWithStores(commonDir: string, depth = 0): RepoLocation[] {
  const out: RepoLocation[] = [];
  const walk = (dir: string, level: number): void => {
    if (level > 6) return;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const sub = path.join(dir, e.name);
      if (fs.existsSync(path.join(sub, 'HEAD'))) {
        const worktreeRoot = submoduleWorktree(sub);
        if (worktreeRoot && fs.existsSync(path.join(sub, 'lockstep'))) out.push({ commonDir: sub, gitDir: sub, worktreeRoot });
        if (depth < 3) out.push(...submodulesWithStores(sub, depth + 1));
      } else walk(sub, level + 1);
    }
  };
  walk(path.join(commonDir, 'modules'), 0);
  return out;
}
