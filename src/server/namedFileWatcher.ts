// Watches a changing set of named files (the plan, the store's slot files, git refs and the index) and
// calls back when any of them is created, changed or removed. chokidar watches each file's folder
// through the OS (no polling) and handles editors' and git's atomic rename-into-place writes, so a
// change is seen once and at once. Whole worktrees are watched elsewhere (directoryWatch.ts says why
// chokidar does not fit there).
import * as path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';

export class NamedFileWatcher {
  private readonly watcher: FSWatcher;
  private readonly files = new Set<string>();

  constructor(onChange: (file: string) => void, onError: (e: unknown) => void = () => undefined) {
    this.watcher = watch([], { ignoreInitial: true, persistent: false, atomic: true });
    for (const event of ['add', 'change', 'unlink'] as const) this.watcher.on(event, (file: string) => onChange(path.resolve(file)));
    this.watcher.on('error', onError);
  }

  /** Watches exactly `files` from now on (absolute paths; they need not exist yet). */
  set(files: Iterable<string>): void {
    const next = new Set([...files].map((f) => path.resolve(f)));
    const gone = [...this.files].filter((f) => !next.has(f));
    const added = [...next].filter((f) => !this.files.has(f));
    if (gone.length) this.watcher.unwatch(gone);
    if (added.length) this.watcher.add(added);
    for (const f of gone) this.files.delete(f);
    for (const f of added) this.files.add(f);
  }

  async close(): Promise<void> {
    this.files.clear();
    await this.watcher.close();
  }
}
