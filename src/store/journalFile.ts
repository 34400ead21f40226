// The append-only journal (one JournalEntry JSON per line), rotated once it passes ~16 MiB:
// journal.jsonl -> journal.1.jsonl (one old generation kept).
import * as fs from 'node:fs';
import { JournalEntry } from '../core/model';
import { appendLinesDurable, fsyncDir } from './durableFile';
import * as path from 'node:path';

export const JOURNAL_ROTATE_BYTES = 16 * 1024 * 1024;

export interface JournalRead {
  entries: JournalEntry[];
  /** Byte offset to pass next time (just after the last complete line read). */
  nextOffset: number;
  /** True when the journal was rotated since `fromOffset` (reading restarted at 0). */
  rotated?: boolean;
  /** Lines that were not valid entries (a torn write), skipped. */
  skipped?: number;
}

export function appendJournal(
  file: string,
  rotatedFile: string,
  entries: readonly JournalEntry[],
  opts: { rotateBytes?: number; sync?: boolean } = {},
): void {
  const rotateBytes = opts.rotateBytes ?? JOURNAL_ROTATE_BYTES;
  if (entries.length === 0) return;
  let size = 0;
  try {
    size = fs.statSync(file).size;
  } catch {
    /* first entry */
  }
  if (size >= rotateBytes) {
    fs.renameSync(file, rotatedFile);
    fsyncDir(path.dirname(file));
  }
  appendLinesDurable(file, entries.map((e) => JSON.stringify(e)), { sync: opts.sync });
}

function parseLines(text: string): { entries: JournalEntry[]; skipped: number } {
  const entries: JournalEntry[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const r = JournalEntry.safeParse(JSON.parse(line));
      if (r.success) entries.push(r.data);
      else skipped++;
    } catch {
      skipped++;
    }
  }
  return { entries, skipped };
}

export function readJournalFile(file: string, fromOffset = 0): JournalRead {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], nextOffset: 0, rotated: fromOffset > 0 || undefined };
    throw e;
  }
  try {
    const size = fs.fstatSync(fd).size;
    let start = fromOffset;
    let rotated: boolean | undefined;
    if (start > size) {
      start = 0;
      rotated = true;
    }
    const buf = Buffer.alloc(size - start);
    let read = 0;
    while (read < buf.length) {
      const n = fs.readSync(fd, buf, read, buf.length - read, start + read);
      if (n === 0) break;
      read += n;
    }
    const lastNl = buf.lastIndexOf(0x0a, read - 1);
    if (lastNl < 0) return { entries: [], nextOffset: start, rotated };
    const { entries, skipped } = parseLines(buf.subarray(0, lastNl + 1).toString('utf8'));
    return { entries, nextOffset: start + lastNl + 1, rotated, skipped: skipped || undefined };
  } finally {
    fs.closeSync(fd);
  }
}

/** Every entry still on disk, oldest first (rotated generation, then the current file). */
export function readWholeJournal(file: string, rotatedFile: string): { entries: JournalEntry[]; skipped: number } {
  const old = readJournalFile(rotatedFile, 0);
  const cur = readJournalFile(file, 0);
  return { entries: [...old.entries, ...cur.entries], skipped: (old.skipped ?? 0) + (cur.skipped ?? 0) };
}
