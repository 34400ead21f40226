// The gate's ScopeIndex over `git ls-files` of the main checkout, rebuilt only when that checkout's
// index file changes (a commit, a landing, a checkout), so listing and starting stay cheap.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ScopeIndex } from '../core/globOverlap';
import { runGit } from '../git/gitRunner';
import { splitNul } from '../git/repository';

export class TrackedScopeIndex {
  private cached: { stamp: string; index: ScopeIndex } | undefined;

  /** `root`: the worktree whose tracked files count; `gitDir`: its own git dir (holds `index`). */
  constructor(
    private readonly root: string,
    private readonly gitDir: string,
  ) {}

  private stamp(): string {
    try {
      const st = fs.statSync(path.join(this.gitDir, 'index'));
      return `${st.ino}:${st.size}:${st.mtimeMs}`;
    } catch {
      return 'none';
    }
  }

  async get(): Promise<ScopeIndex> {
    const stamp = this.stamp();
    if (this.cached && this.cached.stamp === stamp) return this.cached.index;
    // GIT_OPTIONAL_LOCKS=0: never take index.lock just to read (agents run git too).
    const out = await runGit(['ls-files', '-z', '--full-name'], { cwd: this.root, env: { GIT_OPTIONAL_LOCKS: '0' } });
    const index = new ScopeIndex(splitNul(out.stdout).map((p) => p.normalize('NFC')));
    this.cached = { stamp, index };
    return index;
  }
}
