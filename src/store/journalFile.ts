// The append-only journal (one JournalEntry JSON per line), rotated once it passes ~16 MiB:
// journal.jsonl -> journal.1.jsonl (one old generation kept).
import * as fs from 'node:fs';
import { JournalEntry } from '../core/model';
import { appendLinesDurable, fsyncDir, syncData } from './durableFile';
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

/**
 * Appends entries as lines (fsync'd only with `sync`). Rotation is the caller's (rotateJournal).
 * `checkTornLine: false` skips isolating a torn last line (for appends without the store lock).
 */
export function appendJournal(file: string, entries: readonly JournalEntry[], opts: { sync?: boolean; checkTornLine?: boolean } = {}): void {
  if (entries.length === 0) return;
  appendLinesDurable(file, entries.map((e) => JSON.stringify(e)), { sync: opts.sync ?? false, checkTornLine: opts.checkTornLine });
}

/** The journal's size in bytes (0 when it does not exist yet). */
export function journalSize(file: string): number {
  return fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0;
}

/**
 * Once the journal passes `rotateBytes`: makes it durable (lines appended without a sync go with
 * it), renames it to the rotated generation and syncs the folder. Returns true when it rotated.
 */
export function rotateJournal(file: string, rotatedFile: string, rotateBytes = JOURNAL_ROTATE_BYTES): boolean {
  if (journalSize(file) < rotateBytes) return false;
  syncData(file);
  fs.renameSync(file, rotatedFile);
  fsyncDir(path.dirname(file));
  return true;
}

/** What tells two journal entries apart (key order differs between parsed and written entries). */
function entryIdentity(e: JournalEntry): string {
  return `${e.at}|${e.op}|${e.session ?? ''}|${e.key ?? ''}|${e.fence ?? ''}|${e.reason ?? ''}`;
}

/**
 * After a machine restart: appends those of `pending` (entries committed with the table but
 * maybe not yet on disk in the journal when the machine went down) that the journal lacks past
 * `syncedTo`, and syncs it. Returns how many it restored.
 */
export function restorePendingEntries(file: string, syncedTo: number, pending: readonly JournalEntry[]): number {
  if (pending.length === 0) return 0;
  const size = journalSize(file);
  const tail = readJournalFile(file, syncedTo <= size ? syncedTo : 0).entries;
  const present = new Set(tail.map(entryIdentity));
  const missing = pending.filter((e) => !present.has(entryIdentity(e)));
  if (missing.length > 0) appendJournal(file, missing, { sync: true });
  return missing.length;
}

/**
 * The last commit's own journal lines (`entries`, appended at byte `from` right after it committed)
 * that the journal lacks because its writer was killed between the commit and the append: appends
 * them. Reads only the region where they belong (lines appended without the store lock may
 * interleave there). Returns how many it appended.
 */
export function appendUnjournaled(file: string, from: number, entries: readonly JournalEntry[]): number {
  if (entries.length === 0) return 0;
  const size = journalSize(file);
  const start = from <= size ? from : 0;
  const budget = entries.reduce((n, e) => n + JSON.stringify(e).length + 1, 0) + 64 * 1024;
  const present = new Set(readJournalRange(file, start, start + budget).map(entryIdentity));
  const missing = entries.filter((e) => !present.has(entryIdentity(e)));
  if (missing.length > 0) appendJournal(file, missing);
  return missing.length;
}

/** Whole lines between byte offsets (the part of a line that crosses `end` is left out). */
function readJournalRange(file: string, start: number, end: number): JournalEntry[] {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return [];
  }
  try {
    const buf = Buffer.alloc(Math.max(0, Math.min(end, fs.fstatSync(fd).size) - start));
    const n = fs.readSync(fd, buf, 0, buf.length, start);
    const lastNl = buf.lastIndexOf(0x0a, n - 1);
    return lastNl < 0 ? [] : parseLines(buf.subarray(0, lastNl + 1).toString('utf8')).entries;
  } finally {
    fs.closeSync(fd);
  }
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
