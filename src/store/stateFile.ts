// How the lease table sits on disk: two slot files, `state.a.json` and `state.b.json`, written
// alternately ("ping-pong", as database meta pages are). Each holds one whole commit:
//   {...the LeaseTableState...,"$store":{...StoreMeta...},"seq":N,"seal":"<sha256 of all before it>"}
// followed by whitespace padding. The newest slot whose seal checks is the table.
//
// Why: a commit is one in-place overwrite of the older slot plus one fdatasync. The file keeps its
// size, so the sync flushes data without a metadata commit: ~0.15 ms on this machine's ext4,
// against ~0.65 ms for temp file + fsync + rename + folder fsync. A write torn by a crash (or by a
// kill -9 between pages) breaks only the slot being written, whose seal then fails; the other slot
// still holds the previous commit, which is synced before this one is written. The same holds for
// a reader without the store lock that catches a slot mid-write: it uses the other one.
//
// The seal also lets readers skip the full zod validation (tens of ms on a table with thousands of
// recorded edits, paid by every hook call): a sealed slot is byte-for-byte what a commit wrote.
// A slot that is not sealed (torn, or edited by hand) is never used.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { LeaseTableState, withOwnRecords, type JournalEntry } from '../core/model';
import { overwriteInPlace } from './durableFile';
import { DOCTOR_HINT, StoreCorruptError, StoreError } from './storeErrors';

/** The store's own bookkeeping, committed with the table (see embeddedStore.ts, journal durability). */
export interface StoreMeta {
  /** Boot id of the machine when this commit was written. */
  boot: string;
  /** Journal bytes known to be on disk (fsync'd) when `pending` was last emptied. */
  journalSyncedTo: number;
  /** Journal entries of ownership commits since then: appended, maybe not yet on disk. */
  pending: JournalEntry[];
  /**
   * The journal's size when this commit was written, and how many of `pending` (the last ones) are
   * this commit's own: the next transaction checks they were appended there (a writer killed
   * between its commit and its append leaves them only here).
   */
  appendFrom?: number;
  appendCount?: number;
}

export const EMPTY_META: StoreMeta = { boot: '', journalSyncedTo: 0, pending: [] };

export interface SlotCommit {
  state: LeaseTableState;
  /** The table's JSON alone (without the store's trailer): what a commit of an equal table writes. */
  body: string;
  seq: number;
  meta: StoreMeta;
}

export interface StateRead extends SlotCommit {
  /** Which slot file held it (the next commit goes to the other one). */
  slot: 0 | 1;
  /** Read from the pre-slot state.json, which the next commit supersedes. */
  legacy?: true;
  /**
   * The slot claiming the newer commit was not intact, so this is the one before it: normally a
   * commit torn by a crash mid-write (never journaled, its caller never answered), or a reader
   * racing a writer. Under the store lock, the caller floors the fence by the journal's anyway.
   */
  fellBack?: true;
}

const SEAL_KEY = ',"seal":"';
const META_KEY = ',"$store":';

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The slot file content for a commit. */
export function encodeSlot(state: LeaseTableState, seq: number, meta: StoreMeta): { content: string; body: string } {
  const body = JSON.stringify(state);
  const sealed = `${body.slice(0, -1)}${META_KEY}${JSON.stringify(meta)},"seq":${seq}`;
  return { content: `${sealed}${SEAL_KEY}${sha256(sealed)}"}`, body };
}

/** The commit in a slot file's text, or a one-line reason why there is none. */
export function decodeSlot(text: string): SlotCommit | { problem: string } {
  const end = text.trimEnd(); // the padding
  const at = end.lastIndexOf(SEAL_KEY);
  if (at < 0 || !end.endsWith('"}') || end.length !== at + SEAL_KEY.length + 64 + 2) {
    return { problem: end.length === 0 ? 'empty' : 'not sealed (a torn write, or edited by hand)' };
  }
  const sealed = end.slice(0, at);
  if (sha256(sealed) !== end.slice(at + SEAL_KEY.length, -2)) return { problem: 'seal does not match (a torn write, or edited by hand)' };
  const metaAt = sealed.lastIndexOf(META_KEY);
  if (metaAt < 0) return { problem: 'sealed, but without the store trailer' };
  const body = `${sealed.slice(0, metaAt)}}`;
  try {
    const trailer = JSON.parse(`{${sealed.slice(metaAt + 1)}}`) as { $store: StoreMeta; seq: number };
    return { state: withOwnRecords(JSON.parse(body) as LeaseTableState), body, seq: trailer.seq, meta: trailer.$store };
  } catch {
    return { problem: 'sealed, but not JSON' };
  }
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StoreError(`${file}: ${(e as Error).message}; ${DOCTOR_HINT}`);
  }
}

/** The sequence number a slot claims, read from its tail without checking the seal (cheap). */
function claimedSeq(text: string): number {
  const m = /"seq":(\d+),"seal":"[0-9a-f]{64}"\}$/.exec(text.slice(-120));
  return m ? Number(m[1]) : -1;
}

export interface SlotFiles {
  slots: readonly [string, string];
  /** `state.json` of Lockstep builds before the slots: read (once) when no slot exists yet. */
  legacy: string;
}

/**
 * The newest intact commit, or undefined when no slot (and no legacy state.json) exists.
 * Throws a one-line StoreCorruptError naming `lockstep doctor` when files exist but none is usable.
 */
export function readNewestSlot(files: SlotFiles): StateRead | undefined {
  const texts = files.slots.map((f) => readText(f)?.trimEnd()) as [string | undefined, string | undefined];
  if (texts[0] === undefined && texts[1] === undefined) return readLegacy(files.legacy);
  // Check the slot that claims the higher seq first; a torn write makes its claim unreadable or its seal fail.
  const order: Array<0 | 1> = claimedSeq(texts[0] ?? '') >= claimedSeq(texts[1] ?? '') ? [0, 1] : [1, 0];
  const problems: string[] = [];
  for (const slot of order) {
    const text = texts[slot];
    if (text === undefined) continue;
    const commit = decodeSlot(text);
    if ('problem' in commit) {
      problems.push(`${files.slots[slot]}: ${commit.problem}`);
      continue;
    }
    // Normally the other slot holds the commit just before this one. Anything else (a slot torn
    // or edited, whichever its claim) means a commit may be missing: the caller checks fences.
    const other = texts[slot === 0 ? 1 : 0];
    const intactPair = other === undefined ? commit.seq === 1 : claimedSeq(other) === commit.seq - 1;
    return problems.length > 0 || !intactPair ? { ...commit, slot, fellBack: true } : { ...commit, slot };
  }
  throw new StoreCorruptError(`no intact lease table (${problems.join('; ')}); ${DOCTOR_HINT} to set them aside and rebuild from the journal`);
}

/** The pre-slot `state.json` (sealed `{...,"seal":"…"}` or plain JSON, fully validated). */
function readLegacy(file: string): StateRead | undefined {
  const text = readText(file);
  if (text === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new StoreCorruptError(`${file} is not valid JSON; ${DOCTOR_HINT} to set it aside and rebuild from the journal`);
  }
  const r = LeaseTableState.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new StoreCorruptError(`${file} is invalid (${issue.path.join('.') || '(root)'}: ${issue.message}); ${DOCTOR_HINT} to set it aside and rebuild from the journal`);
  }
  return { state: r.data, body: JSON.stringify(r.data), seq: 0, meta: EMPTY_META, slot: 1, legacy: true };
}

/**
 * Commits `content` (from encodeSlot) into `slot`, which must not hold the newest commit: written
 * in place and synced before returning, so at every instant one intact commit is on disk.
 */
export function commitSlot(files: SlotFiles, slot: 0 | 1, content: string): void {
  overwriteInPlace(files.slots[slot], content);
}
