// Watches a changing set of named files (the plan, the store's slot files, git refs and the index) and
// calls back when any of them is created, changed or removed. chokidar watches each file's folder
// through the OS (no polling) and handles editors' and git's atomic rename-into-place writes, so a
// change is seen once and at once. A file whose folder does not exist yet (a first `.lockstep/`) is
// found through its nearest existing ancestor: when a folder appears there, the files are watched
// again. Whole worktrees are watched elsewhere (directoryWatch.ts says why chokidar does not fit there).
// A change the OS watch does not report (seen with the store's slot files, rewritten in place: a landing
// undone from the CLI never reached VS Code's Scheduler view) is caught by a cheap stat of each named
// file every second, so no change is missed for longer than that.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';

export class NamedFileWatcher {
  private readonly watcher: FSWatcher;
  /** Depth-0 watches of the nearest existing ancestors of files whose folder is missing. */
  private readonly ancestors: FSWatcher;
  private readonly files = new Set<string>();
  private readonly watchedAncestors = new Set<string>();
  /** Each file's last stat (inode, size, mtime), for the once-a-second check. */
  private readonly seen = new Map<string, string>();
  private readonly recheck: NodeJS.Timeout | undefined;

  constructor(
    private readonly onChange: (file: string) => void,
    onError: (e: unknown) => void = () => undefined,
    opts: { recheckMs?: number } = {},
  ) {
    this.watcher = watch([], { ignoreInitial: true, persistent: false, atomic: true });
    for (const event of ['add', 'change', 'unlink'] as const) this.watcher.on(event, (file: string) => onChange(path.resolve(file)));
    this.watcher.on('error', onError);
    this.ancestors = watch([], { ignoreInitial: true, persistent: false, depth: 0 });
    this.ancestors.on('addDir', () => this.rewatchMissing());
    this.ancestors.on('error', onError);
    const every = opts.recheckMs ?? 1000;
    if (every > 0) {
      this.recheck = setInterval(() => this.recheckFiles(), every);
      this.recheck.unref();
    }
  }

  private static stamp(file: string): string {
    try {
      const st = fs.statSync(file);
      return `${st.ino}:${st.size}:${st.mtimeMs}`;
    } catch {
      return 'missing';
    }
  }

  /** Reports every file whose stat changed since the last look (an event chokidar also sent is harmless twice). */
  private recheckFiles(): void {
    for (const f of this.files) {
      const now = NamedFileWatcher.stamp(f);
      const was = this.seen.get(f);
      this.seen.set(f, now);
      if (was !== undefined && was !== now) this.onChange(f);
    }
  }

  /** Watches exactly `files` from now on (absolute paths; they need not exist yet). */
  set(files: Iterable<string>): void {
    const next = new Set([...files].map((f) => path.resolve(f)));
    const gone = [...this.files].filter((f) => !next.has(f));
    const added = [...next].filter((f) => !this.files.has(f));
    if (gone.length) this.watcher.unwatch(gone);
    if (added.length) this.watcher.add(added);
    for (const f of gone) {
      this.files.delete(f);
      this.seen.delete(f);
    }
    for (const f of added) {
      this.files.add(f);
      this.seen.set(f, NamedFileWatcher.stamp(f));
    }
    this.watchAncestors();
  }

  /** Files whose folder is missing: watch the nearest folder that exists. */
  private watchAncestors(): void {
    for (const f of this.files) {
      let dir = path.dirname(f);
      if (fs.existsSync(dir)) continue;
      while (!fs.existsSync(dir) && path.dirname(dir) !== dir) dir = path.dirname(dir);
      if (!this.watchedAncestors.has(dir)) {
        this.watchedAncestors.add(dir);
        this.ancestors.add(dir);
      }
    }
  }

  /** A folder appeared: watch its files anew, and report those that already exist. */
  private rewatchMissing(): void {
    const appeared = [...this.files].filter((f) => fs.existsSync(path.dirname(f)));
    if (appeared.length) {
      this.watcher.unwatch(appeared);
      this.watcher.add(appeared);
      for (const f of appeared) if (fs.existsSync(f)) this.onChange(f);
    }
    this.watchAncestors();
  }

  async close(): Promise<void> {
    if (this.recheck) clearInterval(this.recheck);
    this.files.clear();
    await Promise.all([this.watcher.close(), this.ancestors.close()]);
  }
}
