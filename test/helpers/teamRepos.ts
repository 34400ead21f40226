// Repositories as team mode (#14) sees them: clones on different machines are different local
// folders with one origin remote (in any of its forms), so they share one team key.
import { makeTempRepo, type TempRepo } from './tempRepo';

export interface TeamRepos {
  /** A new repository in its own folder, with `origin` as its origin remote (none when absent). */
  clone(origin?: string): TempRepo;
  /** Removes every repository made. */
  cleanup(): void;
}

export function teamRepos(): TeamRepos {
  const repos: TempRepo[] = [];
  return {
    clone(origin) {
      const r = makeTempRepo();
      repos.push(r);
      if (origin) r.git('remote', 'add', 'origin', origin);
      return r;
    },
    cleanup() {
      for (const r of repos.splice(0)) r.cleanup();
    },
  };
}
