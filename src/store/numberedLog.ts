// An append-only log of numbered JSON lines ({"n":1,…}), rotated once it passes a size (one old
// generation kept). Appends happen under the caller's lock, which makes numbering monotonic; the
// fdatasync that makes an append durable happens after the lock is released (group commit: every
// writer's sync covers all writes before it, and syncs of concurrent writers overlap instead of
// queueing behind the lock). A note is acknowledged only after its sync returned.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as z from '../core/zod';
import { fsyncDir, syncData } from './durableFile';

export const LOG_ROTATE_BYTES = 16 * 1024 * 1024;
/** How far back the last number is looked for (items are at most a few KiB). */
const TAIL_WINDOW = 64 * 1024;

/** Where a reader stands in a log: the file (inode) and byte offset after the last line it read. */
export interface LogPosition {
  ino: number;
  offset: number;
}

export interface LogRead<T> {
  items: T[];
  /** Where to read on from next time. */
  next: LogPosition;
}

/** Lines written but not yet durable: sync() fdatasyncs them (and every earlier append) and closes the file; close() only closes. */
export interface PendingAppend<T> {
  readonly items: T[];
  sync(): void;
  close(): void;
}

function pendingAppend<T>(items: T[], fd: number): PendingAppend<T> {
  let open = true;
  const close = () => {
    if (open) fs.closeSync(fd);
    open = false;
  };
  return {
    items,
    sync() {
      try {
        if (open && items.length > 0) fs.fdatasyncSync(fd);
      } finally {
        close();
      }
    },
    close,
  };
}

export class NumberedLog<T extends { n: number }> {
  constructor(
    readonly file: string,
    readonly rotatedFile: string,
    private readonly schema: z.ZodMiniType<T, unknown>,
    private readonly rotateBytes = LOG_ROTATE_BYTES,
  ) {}

  /** The current file's inode and size (0/0 when absent): what the cheap "anything new?" check compares. */
  position(): LogPosition {
    const st = fs.statSync(this.file, { throwIfNoEntry: false });
    return st ? { ino: st.ino, offset: st.size } : { ino: 0, offset: 0 };
  }

  /** Under the caller's lock: the highest number written so far (0 for an empty log). */
  lastNumber(): number {
    return lastNumberIn(this.file, this.schema) ?? lastNumberIn(this.rotatedFile, this.schema) ?? 0;
  }

  /**
   * Under the caller's lock: rotates when due, then appends the items `make` builds from the last
   * number, as whole lines in one write. One open of the file: the tail read that finds the last
   * number also finds a line torn by a crash, which is closed first. The lines are not durable yet:
   * the caller calls sync() on the result after releasing its lock (the file stays open until then,
   * so the sync costs no second open, and a rotation meanwhile is harmless: it synced the old file).
   */
  appendNext(make: (lastNumber: number) => T[]): PendingAppend<T> {
    let fd = fs.openSync(this.file, 'a+', 0o644);
    try {
      let size = fs.fstatSync(fd).size;
      if (size >= this.rotateBytes) {
        fs.fdatasyncSync(fd);
        fs.closeSync(fd);
        fs.renameSync(this.file, this.rotatedFile);
        fsyncDir(path.dirname(this.file));
        fd = fs.openSync(this.file, 'a+', 0o644);
        size = 0;
      }
      const tail = size > 0 ? lastNumberInFd(fd, size, this.schema) : undefined;
      const last = tail?.n ?? lastNumberIn(this.rotatedFile, this.schema) ?? 0;
      const items = make(last);
      if (items.length > 0) {
        const torn = size > 0 && !tail?.endsWithNewline;
        fs.writeSync(fd, (torn ? '\n' : '') + items.map((i) => JSON.stringify(i)).join('\n') + '\n');
      }
      return pendingAppend(items, fd);
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
  }

  /** Makes every append so far durable (appends of other processes included). */
  sync(): void {
    syncData(this.file);
  }

  /**
   * The items after `from` (the start when absent), oldest first. When the file was rotated since
   * `from` was taken, the rest of the old generation is read first.
   */
  readFrom(from?: LogPosition): LogRead<T> {
    const cur = this.position();
    if (!from || from.ino === 0) return { items: [...this.readFile(this.rotatedFile, 0).items, ...this.readFile(this.file, 0).items], next: this.afterRead(this.file, cur) };
    if (from.ino === cur.ino) {
      const r = this.readFile(this.file, from.offset > cur.offset ? 0 : from.offset);
      return { items: r.items, next: { ino: cur.ino, offset: r.end } };
    }
    const rotated = fs.statSync(this.rotatedFile, { throwIfNoEntry: false });
    const old = rotated && rotated.ino === from.ino ? this.readFile(this.rotatedFile, from.offset).items : this.readFile(this.rotatedFile, 0).items;
    const r = this.readFile(this.file, 0);
    return { items: [...old, ...r.items], next: { ino: cur.ino, offset: r.end } };
  }

  /** Every item still on disk, oldest first. */
  readAll(): T[] {
    return this.readFrom().items;
  }

  private afterRead(file: string, cur: LogPosition): LogPosition {
    // The offset after the last complete line (a line being appended right now is read next time).
    return { ino: cur.ino, offset: completeLength(file, cur.offset) };
  }

  private readFile(file: string, from: number): { items: T[]; end: number } {
    let buf: Buffer;
    try {
      const fd = fs.openSync(file, 'r');
      try {
        const size = fs.fstatSync(fd).size;
        buf = Buffer.alloc(Math.max(0, size - from));
        let read = 0;
        while (read < buf.length) {
          const n = fs.readSync(fd, buf, read, buf.length - read, from + read);
          if (n === 0) break;
          read += n;
        }
        buf = buf.subarray(0, read);
      } finally {
        fs.closeSync(fd);
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { items: [], end: 0 };
      throw e;
    }
    const lastNl = buf.lastIndexOf(0x0a);
    if (lastNl < 0) return { items: [], end: from };
    return { items: parseItems(buf.subarray(0, lastNl + 1).toString('utf8'), this.schema), end: from + lastNl + 1 };
  }
}

function completeLength(file: string, size: number): number {
  if (size === 0) return 0;
  const fd = fs.openSync(file, 'r');
  try {
    const window = Math.min(size, TAIL_WINDOW);
    const buf = Buffer.alloc(window);
    fs.readSync(fd, buf, 0, window, size - window);
    const lastNl = buf.lastIndexOf(0x0a);
    return lastNl < 0 ? size - window : size - window + lastNl + 1;
  } finally {
    fs.closeSync(fd);
  }
}

/** Parses lines, skipping torn or invalid ones (a crash mid-append leaves at most one). */
function parseItems<T>(text: string, schema: z.ZodMiniType<T, unknown>): T[] {
  const out: T[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const r = schema.safeParse(JSON.parse(line));
      if (r.success) out.push(r.data);
    } catch {
      /* torn line */
    }
  }
  return out;
}

/** The number of the last valid line of `file`, reading backwards from its end; undefined when it has none. */
function lastNumberIn<T extends { n: number }>(file: string, schema: z.ZodMiniType<T, unknown>): number | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    return lastNumberInFd(fd, fs.fstatSync(fd).size, schema)?.n;
  } finally {
    fs.closeSync(fd);
  }
}

/** A first look this far back finds the last line almost always (a note's line is a few hundred bytes); then doubling. */
const FIRST_WINDOW = 1024;

function lastNumberInFd<T extends { n: number }>(fd: number, size: number, schema: z.ZodMiniType<T, unknown>): { n?: number; endsWithNewline: boolean } | undefined {
  if (size === 0) return undefined;
  let endsWithNewline = false;
  let end = size;
  let window = FIRST_WINDOW;
  while (end > 0) {
    const start = Math.max(0, end - window);
    const buf = Buffer.alloc(end - start);
    fs.readSync(fd, buf, 0, buf.length, start);
    if (end === size) endsWithNewline = buf[buf.length - 1] === 0x0a;
    const lines = buf.toString('utf8').split('\n');
    // The first piece may be a partial line (the window cut it) unless the window starts the file.
    for (let i = lines.length - 1; i >= (start === 0 ? 0 : 1); i--) {
      const line = lines[i]!;
      if (line.trim() === '') continue;
      try {
        const r = schema.safeParse(JSON.parse(line));
        if (r.success) return { n: r.data.n, endsWithNewline };
      } catch {
        /* torn */
      }
    }
    if (start === 0) break;
    const firstPiece = Buffer.byteLength(lines[0]!);
    // Step back to the partial line's end; a line longer than the window needs a larger one.
    if (firstPiece >= buf.length) window *= 2;
    else end = start + firstPiece;
  }
  return { endsWithNewline };
}
