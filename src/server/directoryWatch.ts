// Watches a tree of directories with chokidar, reporting "something changed at <dir>/<name>".
// Files themselves are not watched (chokidar would open one watch per file): each watched
// directory's own watch reports its children through chokidar's raw events. One inotify watch per
// directory keeps large repositories cheap; callers re-read what they need (git status, a tail).
import type * as fs from 'node:fs';
import * as path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';

export interface DirectoryWatchOptions {
  /** Directories (below the root) not to watch. */
  ignoreDir?: (dir: string) => boolean;
  /** Levels of subdirectories to follow (default: all). */
  depth?: number;
  onEvent: (dir: string, name: string) => void;
  onError: (error: unknown) => void;
  /**
   * The initial scan finished: events are reported from now on. Changes made before this moment
   * may have gone unreported, so callers re-read their state here.
   */
  onReady?: () => void;
}

export function watchDirectories(root: string, opts: DirectoryWatchOptions): FSWatcher {
  const watcher = watch(root, {
    ignoreInitial: true,
    followSymlinks: false,
    atomic: false,
    depth: opts.depth,
    ignored: (p: string, stats?: fs.Stats) => {
      if (stats?.isFile()) return true;
      if (p === root) return false;
      return opts.ignoreDir?.(p) ?? false;
    },
  });
  watcher.on('raw', (_event: string, evPath: string, details: unknown) => {
    const dir = (details as { watchedPath?: string } | undefined)?.watchedPath;
    if (!dir || !evPath) return;
    opts.onEvent(dir, path.basename(evPath));
  });
  watcher.on('error', opts.onError);
  if (opts.onReady) watcher.on('ready', opts.onReady);
  return watcher;
}
