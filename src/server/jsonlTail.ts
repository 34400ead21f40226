// Follows a growing JSONL file (an agent transcript): returns the complete lines added since the
// last read. A partial last line is left for the next read; a file that shrank (truncated), was
// replaced (another inode: rotation) or was rewritten in place (its first bytes differ) is read
// again from the start.
import * as fs from 'node:fs';

const CHUNK_BYTES = 1 << 20;
/** A single line longer than this is skipped (a transcript line this big holds no file path we need). */
const MAX_LINE_BYTES = 64 << 20;
/** Bytes at the start of the file remembered to notice a rewrite in place that did not shrink it. */
const HEAD_BYTES = 256;

export interface TailRead {
  lines: string[];
  /** True when the file was truncated or replaced since the previous read (reading restarted at 0). */
  restarted: boolean;
  /** The file no longer exists. */
  gone: boolean;
  mtimeMs: number;
}

export class JsonlTail {
  offset = 0;
  private ino: number | undefined;
  private dev: number | undefined;
  private head: Buffer | undefined;

  constructor(readonly file: string) {}

  read(): TailRead {
    let st: fs.Stats;
    try {
      st = fs.statSync(this.file);
    } catch {
      return { lines: [], restarted: false, gone: true, mtimeMs: 0 };
    }
    let restarted = false;
    if ((this.ino !== undefined && (st.ino !== this.ino || st.dev !== this.dev)) || st.size < this.offset || !this.sameHead()) {
      this.offset = 0;
      this.head = undefined;
      restarted = true;
    }
    this.ino = st.ino;
    this.dev = st.dev;
    if (st.size === this.offset) return { lines: [], restarted, gone: false, mtimeMs: st.mtimeMs };

    let fd: number;
    try {
      fd = fs.openSync(this.file, 'r');
    } catch {
      return { lines: [], restarted, gone: true, mtimeMs: 0 };
    }
    const lines: string[] = [];
    try {
      let carry: Buffer[] = [];
      let carryBytes = 0;
      let pos = this.offset;
      let skipping = false; // inside an oversized line: drop bytes up to its newline
      const buf = Buffer.allocUnsafe(CHUNK_BYTES);
      for (;;) {
        const n = fs.readSync(fd, buf, 0, CHUNK_BYTES, pos);
        if (n <= 0) break;
        let start = 0;
        for (;;) {
          const nl = buf.indexOf(10, start);
          if (nl < 0 || nl >= n) break;
          if (!skipping) {
            carry.push(buf.subarray(start, nl));
            lines.push(Buffer.concat(carry).toString('utf8'));
          }
          skipping = false;
          carry = [];
          carryBytes = 0;
          start = nl + 1;
          this.offset = pos + start;
        }
        if (start < n && !skipping) {
          carry.push(Buffer.from(buf.subarray(start, n)));
          carryBytes += n - start;
          if (carryBytes > MAX_LINE_BYTES) {
            skipping = true;
            carry = [];
            carryBytes = 0;
          }
        }
        pos += n;
      }
      // An oversized line still without its newline: skip past what we have seen of it.
      if (skipping) this.offset = pos;
      if (!this.head || this.head.length < HEAD_BYTES) this.head = readHead(fd);
    } finally {
      fs.closeSync(fd);
    }
    return { lines, restarted, gone: false, mtimeMs: st.mtimeMs };
  }

  private sameHead(): boolean {
    if (!this.head || this.offset === 0) return true;
    let fd: number;
    try {
      fd = fs.openSync(this.file, 'r');
    } catch {
      return true; // gone: the caller's stat already said so, or will
    }
    try {
      const now = readHead(fd);
      return now.subarray(0, this.head.length).equals(this.head);
    } finally {
      fs.closeSync(fd);
    }
  }
}

function readHead(fd: number): Buffer {
  const buf = Buffer.alloc(HEAD_BYTES);
  const n = fs.readSync(fd, buf, 0, HEAD_BYTES, 0);
  return buf.subarray(0, n);
}
