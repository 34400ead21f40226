// Writes that survive a crash at any instant: a reader sees the old content or the new, never a mix.
import * as fs from 'node:fs';
import * as path from 'node:path';

export function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Writes a temp file, fsyncs it, renames it over `file`, fsyncs the folder. Readers never see a
 * partial file. With `syncDir: false` the rename itself may be lost on power loss (the previous
 * complete file then remains), which is acceptable for changes that carry no ownership.
 */
export function writeFileAtomic(file: string, content: string, opts: { syncDir?: boolean } = {}): void {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w', 0o644);
  try {
    fs.writeSync(fd, content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  if (opts.syncDir ?? true) fsyncDir(path.dirname(file));
}

/**
 * Appends whole lines and fsyncs. If the file does not end with a newline (a writer died mid-line),
 * a newline is written first so the torn line stays isolated and readers skip just that one.
 */
export function appendLinesDurable(file: string, lines: readonly string[], opts: { sync?: boolean } = {}): void {
  if (lines.length === 0) return;
  const fd = fs.openSync(file, 'a+', 0o644);
  try {
    const size = fs.fstatSync(fd).size;
    let prefix = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      fs.readSync(fd, last, 0, 1, size - 1);
      if (last[0] !== 0x0a) prefix = '\n';
    }
    fs.writeSync(fd, prefix + lines.join('\n') + '\n');
    if (opts.sync ?? true) fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
