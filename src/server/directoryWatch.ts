// Watches a tree of directories, reporting "something changed at <dir>/<name>". One fs.watch per
// directory (inotify reports every child of a watched directory); files are never watched or
// stat'ed one by one. Callers re-read what they need (git status, a transcript tail), so an event
// only has to say where to look.
//
// Why not chokidar here: chokidar lstat's every file during its scan and opens one watch per file;
// on a 20,000-file worktree that cost ~75 MB of resident memory per worktree on this machine (the
// goal for the whole server is < 150 MB with five worktrees). Directory walking uses
// readdir(withFileTypes), which needs no stat per entry.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface DirectoryWatchOptions {
  /** Directories (below the root) not to watch. */
  ignoreDir?: (dir: string) => boolean;
  /** Levels of subdirectories to follow (default: all). 0 watches the root only. */
  depth?: number;
  onEvent: (dir: string, name: string) => void;
  onError: (error: unknown) => void;
  /**
   * The initial walk finished: events are reported from now on. Changes made before this moment
   * may have gone unreported, so callers re-read their state here.
   */
  onReady?: () => void;
}

export interface DirectoryWatcher {
  /** Number of directories watched. */
  readonly size: number;
  close(): Promise<void>;
}

/** Directories walked per event-loop turn, so a large initial walk does not stall requests. */
const WALK_BATCH = 100;

export function watchDirectories(root: string, opts: DirectoryWatchOptions): DirectoryWatcher {
  const watchers = new Map<string, { watcher: fs.FSWatcher; depth: number }>();
  const queue: { dir: string; depth: number }[] = [];
  let walking = false;
  let ready = false;
  let closed = false;
  let reportedLimit = false;
  const maxDepth = opts.depth ?? Number.POSITIVE_INFINITY;

  const unwatchTree = (dir: string) => {
    const prefix = dir + path.sep;
    for (const [d, w] of watchers) {
      if (d === dir || d.startsWith(prefix)) {
        w.watcher.close();
        watchers.delete(d);
      }
    }
  };

  const onRaw = (dir: string, depth: number, event: string, name: string | null) => {
    if (closed) return;
    const child = name ? path.join(dir, name.toString()) : dir;
    if (name) opts.onEvent(dir, path.basename(child));
    else opts.onEvent(path.dirname(dir), path.basename(dir));
    if (event !== 'rename' || !name) return;
    // A child directory appeared or went away.
    let isDir = false;
    try {
      isDir = fs.statSync(child).isDirectory();
    } catch {
      isDir = false;
    }
    if (!isDir) {
      if (watchers.has(child)) unwatchTree(child);
    } else if (!watchers.has(child) && depth + 1 <= maxDepth) {
      enqueue(child, depth + 1);
    }
  };

  const watchOne = (dir: string, depth: number): boolean => {
    if (watchers.has(dir)) return false;
    if (dir !== root && opts.ignoreDir?.(dir)) return false;
    let watcher: fs.FSWatcher;
    try {
      watcher = fs.watch(dir, { persistent: true }, (event, name) => onRaw(dir, depth, event, name));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC' || code === 'EMFILE') {
        if (!reportedLimit) opts.onError(new Error(`cannot watch ${dir}: ${code} (raise fs.inotify.max_user_watches)`));
        reportedLimit = true;
      } else if (code !== 'ENOENT' && code !== 'ENOTDIR' && code !== 'EACCES') opts.onError(e);
      return false;
    }
    watcher.on('error', (e) => {
      watcher.close();
      watchers.delete(dir);
      if (dir === root) opts.onError(e);
    });
    watchers.set(dir, { watcher, depth });
    return true;
  };

  const enqueue = (dir: string, depth: number) => {
    queue.push({ dir, depth });
    if (!walking) {
      walking = true;
      setImmediate(walk);
    }
  };

  const walk = () => {
    if (closed) return;
    for (let n = 0; n < WALK_BATCH && queue.length > 0; n++) {
      const { dir, depth } = queue.shift()!;
      if (!watchOne(dir, depth)) continue;
      // A directory that appeared after the start: its files may predate its watch.
      if (ready) opts.onEvent(path.dirname(dir), path.basename(dir));
      if (depth >= maxDepth) continue;
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        continue;
      }
      for (const e of entries) if (e.isDirectory()) queue.push({ dir: path.join(dir, e.name), depth: depth + 1 });
    }
    if (queue.length > 0) return void setImmediate(walk);
    walking = false;
    if (!ready) {
      ready = true;
      opts.onReady?.();
    }
  };

  enqueue(root, 0);

  return {
    get size() {
      return watchers.size;
    },
    async close() {
      closed = true;
      queue.length = 0;
      for (const w of watchers.values()) w.watcher.close();
      watchers.clear();
    },
  };
}
