// Which repositories' stores one hook call goes to, when the agent works in a repository with git
// submodules. A submodule is its own repository: its files are leased in its own store, keyed
// relative to its top folder. One pre-edit is leased all or none within one store, so an edit that
// spans the superproject and a submodule is refused with that reason (edit each one separately).
// The end of a session, a turn's end and a prompt also reach the submodules' stores that know the session.
import * as path from 'node:path';
import type { HookEvent } from '../agents/dialect';
import { nestedRepoOf, submodulesWithStores } from '../git/nestedRepos';
import type { RepoLocation } from '../repoPaths/repoLocator';

export interface HookTarget {
  location: RepoLocation;
  /** A submodule's path in the agent's repository (for messages). */
  submodule?: string;
  /** Act only if this store already knows the session (never start one in a submodule's store). */
  onlyKnownSession?: boolean;
}

export function hookTargets(event: HookEvent, here: RepoLocation): { targets: HookTarget[]; deny?: string } {
  const rel = (l: RepoLocation) => path.relative(here.worktreeRoot, l.worktreeRoot);
  if (event.kind === 'pre-edit' || event.kind === 'post-edit' || event.kind === 'edit-failed') {
    const nested = new Map<string, RepoLocation>();
    let own = false;
    for (const p of event.paths) {
      if (p.length === 0 || p.includes('\0')) continue;
      const loc = nestedRepoOf(path.resolve(event.cwd, p), here);
      if (loc) nested.set(loc.commonDir, loc);
      else own = true;
    }
    if (nested.size === 0) return { targets: [{ location: here }] };
    const targets: HookTarget[] = [...nested.values()].map((l) => ({ location: l, submodule: rel(l) }));
    if (own) targets.push({ location: here });
    if (event.kind === 'pre-edit' && targets.length > 1) {
      const names = targets.map((t) => (t.submodule ? `the submodule ${t.submodule}` : `${here.worktreeRoot} itself`));
      return { targets, deny: `Lockstep: this edit spans ${targets.length} repositories (${names.join(', ')}); each git submodule keeps its own leases, so edit each repository's files in a separate call` };
    }
    return { targets };
  }
  if (event.kind === 'session-end' || event.kind === 'stop' || event.kind === 'prompt') {
    const subs = submodulesWithStores(here.commonDir).map((l): HookTarget => ({ location: l, submodule: rel(l), onlyKnownSession: true }));
    return { targets: [...subs, { location: here }] };
  }
  return { targets: [{ location: here }] };
}
