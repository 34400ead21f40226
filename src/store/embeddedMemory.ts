// The shared memory on files beside the lease table (`<git common dir>/lockstep/`):
//   notes.jsonl     the decision log, one numbered Note per line
//   messages.jsonl  messages, one numbered Message per line
//   cursors/<id>    per session: how far it has read both (the last number handled and a byte position)
//   memory.lock     its own transaction lock (fileLock.ts), so notes never queue behind lease grants
//
// Durability is the lease table's: a note or message is acknowledged only after its line was
// fdatasync'd (numberedLog.ts: appended under the lock, synced after it, syncs overlapping), so
// it survives kill -9 and a machine crash; a cursor is synced before the delivered text is
// printed, so nothing is delivered twice (a crash in between loses that one delivery instead).
// Sending checks the recipient's mailbox under the lock: a full one refuses the send.
import { liveWaiter } from './wakeMarkers';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as z from '../core/zod';
import { Message, Note, type MessageTarget } from '../core/memory';
import { writeFileAtomic } from './durableFile';
import { acquireFileLock, LockTimeoutError } from './fileLock';
import { NumberedLog, type LogPosition, type PendingAppend } from './numberedLog';
import { addressMessage, checkText, DEFAULT_DELIVERY_BYTES, DEFAULT_MAILBOX_SIZE, pickDelivery, repeatedMessage, undelivered, waitingFor } from './memoryRules';
import type { Delivery, MemoryStore, NoteQuery, SendOnce, SendResult, SessionRef } from './memoryStore';
import { DOCTOR_HINT, StoreError } from './storeErrors';
import type { MemoryPaths } from './storePaths';


const Position = z.object({ n: z.int().check(z.nonnegative()), ino: z.number(), offset: z.int().check(z.nonnegative()) });
type Position = z.infer<typeof Position>;
const Cursor = z.object({ session: z.string(), task: z.optional(z.string()), notes: Position, messages: Position });
type Cursor = z.infer<typeof Cursor>;

export interface EmbeddedMemoryOptions {
  /** The sessions alive now (for `all`, and a task's sessions): the lease table's. */
  liveSessions: () => SessionRef[];
  mailboxSize?: number;
  deliveryBytes?: number;
  lockTimeoutMs?: number;
  now?: () => number;
  rotateBytes?: number;
}

export class EmbeddedMemory implements MemoryStore {
  readonly notesLog: NumberedLog<Note>;
  readonly messagesLog: NumberedLog<Message>;

  constructor(
    readonly paths: MemoryPaths,
    private readonly opts: EmbeddedMemoryOptions,
  ) {
    this.notesLog = new NumberedLog(paths.notes, paths.notesRotated, Note, opts.rotateBytes);
    this.messagesLog = new NumberedLog(paths.messages, paths.messagesRotated, Message, opts.rotateBytes);
  }

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  private withLock<T>(fn: () => T): T {
    let held;
    try {
      held = acquireFileLock(this.paths.lock, { timeoutMs: this.opts.lockTimeoutMs });
    } catch (e) {
      if (e instanceof LockTimeoutError) throw new StoreError(`${e.message}; ${DOCTOR_HINT}`);
      throw e;
    }
    try {
      return fn();
    } finally {
      held.release();
    }
  }

  note(input: { by: string; task?: string; text: string }): Note {
    const text = checkText(input.text, 'note');
    const pending = this.withLock(() => this.notesLog.appendNext((last) => [{ n: last + 1, at: this.now(), by: input.by, ...(input.task ? { task: input.task } : {}), text }]));
    pending.sync();
    return pending.items[0]!;
  }

  notes(query: NoteQuery = {}): Note[] {
    let found = this.notesLog.readAll().filter((n) => (query.since === undefined || n.n > query.since) && (query.task === undefined || n.task === query.task));
    if (query.limit !== undefined) found = found.slice(Math.max(0, found.length - query.limit));
    return found;
  }

  send(input: { from: string; to: MessageTarget; text: string; once?: SendOnce }): SendResult {
    const text = checkText(input.text, 'message');
    const cap = this.opts.mailboxSize ?? DEFAULT_MAILBOX_SIZE;
    // Synced after the lock is released (numberedLog.ts); closed on every path.
    let appended: PendingAppend<Message> | undefined;
    try {
      const result = this.withLock((): SendResult => {
        const all = this.messagesLog.readAll();
        // Decided under the lock: two denials at once send one notice.
        const earlier = repeatedMessage(all, input, this.now(), (id) => this.readCursor(id)?.messages.n ?? 0);
        if (earlier) return { message: earlier, recipients: [], full: [], woken: [], repeated: true };
        const { recipients, refused } = addressMessage({
          from: input.from,
          to: input.to,
          live: this.opts.liveSessions(),
          cap,
          pending: (s) => {
            const c = this.readCursor(s.id);
            return undelivered(all, s.id, s.task ?? c?.task, c?.messages.n ?? 0).length;
          },
          waitingForTask: (task) => waitingFor(all, task, this.cursorsOfTask(task).reduce((m, c) => Math.max(m, c.messages.n), 0)),
        });
        const to = input.to;
        appended = this.messagesLog.appendNext((last) => [{ n: last + 1, at: this.now(), from: input.from, to, ...(to.kind === 'all' ? { recipients } : {}), text, ...(input.once ? { key: input.once.key } : {}) }]);
        // Decided under the lock after the append: a waiter registered later sees the message itself.
        return { message: appended.items[0]!, recipients, full: refused, woken: recipients.filter((r) => liveWaiter(this.paths.wake, r) !== undefined) };
      });
      appended?.sync(); // nothing appended when `once` found it said already
      return result;
    } finally {
      appended?.close();
    }
  }

  deliver(session: SessionRef, opts: { start?: boolean; maxBytes?: number } = {}): Delivery | undefined {
    const before = this.readCursor(session.id);
    if (!opts.start && this.nothingNew(before)) return undefined;
    const maxBytes = opts.maxBytes ?? this.opts.deliveryBytes ?? DEFAULT_DELIVERY_BYTES;
    return this.withLock(() => {
      const cursor = this.readCursor(session.id);
      const task = session.task ?? cursor?.task;
      const start = opts.start || !cursor;
      const notesRead = this.notesLog.readFrom(cursor ? pos(cursor.notes) : undefined);
      const msgsRead = this.messagesLog.readFrom(cursor ? pos(cursor.messages) : undefined);
      const pick = pickDelivery({ session, task, start, maxBytes, notes: notesRead.items, messages: msgsRead.items, notesSeen: cursor?.notes.n ?? 0, messagesSeen: cursor?.messages.n ?? 0 });
      // A log read only part way stays at its old position (with the number reached); else after what was read.
      const next: Cursor = {
        session: session.id,
        ...(task ? { task } : {}),
        notes: pick.notesLeft > 0 ? { ...(cursor?.notes ?? { ino: 0, offset: 0 }), n: pick.notesUpTo } : { n: pick.notesUpTo, ...notesRead.next },
        messages: pick.messagesLeft > 0 ? { ...(cursor?.messages ?? { ino: 0, offset: 0 }), n: pick.messagesUpTo } : { n: pick.messagesUpTo, ...msgsRead.next },
      };
      const delivered = pick.notes.length + pick.messages.length > 0;
      if (delivered || !cursor || JSON.stringify(next) !== JSON.stringify(cursor)) this.writeCursor(next, delivered);
      return delivered ? { notes: pick.notes, messages: pick.messages, remaining: pick.notesLeft + pick.messagesLeft } : undefined;
    });
  }

  inbox(session: SessionRef, opts: { consume?: boolean } = {}): Message[] {
    const pendingOf = (cursor: Cursor | undefined) => {
      const task = session.task ?? cursor?.task;
      const read = this.messagesLog.readFrom(cursor ? pos(cursor.messages) : undefined);
      return { read, task, messages: undelivered(read.items, session.id, task, cursor?.messages.n ?? 0) };
    };
    if (!opts.consume) return pendingOf(this.readCursor(session.id)).messages;
    return this.withLock(() => {
      const cursor = this.readCursor(session.id);
      const { read, task, messages } = pendingOf(cursor);
      const lastMsg = read.items.reduce((m, x) => Math.max(m, x.n), cursor?.messages.n ?? 0);
      // Notes a session reads in the log itself: consuming the inbox leaves them for its hooks.
      const notes = cursor?.notes ?? { n: this.notesLog.lastNumber(), ...this.notesLog.position() };
      this.writeCursor({ session: session.id, ...(task ? { task } : {}), notes, messages: { n: lastMsg, ...read.next } }, messages.length > 0);
      return messages;
    });
  }

  unreadCounts(sessions: readonly SessionRef[]): Record<string, number> {
    const all = this.messagesLog.readAll();
    const out: Record<string, number> = {};
    const refs = new Map(sessions.map((s) => [s.id, s]));
    for (const c of this.allCursors()) if (!refs.has(c.session)) refs.set(c.session, { id: c.session, task: c.task });
    for (const s of refs.values()) {
      const c = this.readCursor(s.id);
      const task = s.task ?? c?.task;
      out[s.id] = undelivered(all, s.id, task, c?.messages.n ?? 0).length;
    }
    return out;
  }

  stamp(): string {
    const a = this.notesLog.position();
    const b = this.messagesLog.position();
    return `${a.ino}:${a.offset}|${b.ino}:${b.offset}`;
  }

  /** True when neither log moved since the cursor's positions (a few stats: the hook's common case). */
  private nothingNew(cursor: Cursor | undefined): boolean {
    const notes = this.notesLog.position();
    const msgs = this.messagesLog.position();
    if (!cursor) return notes.offset === 0 && msgs.offset === 0 && !fs.existsSync(this.paths.notesRotated) && !fs.existsSync(this.paths.messagesRotated);
    return samePosition(cursor.notes, notes) && samePosition(cursor.messages, msgs);
  }

  /** The file of a session's delivery cursor (the coordinator watches it: unread counts change when it moves). */
  cursorFile(session: string): string {
    return path.join(this.paths.cursors, `${Buffer.from(session).toString('base64url')}.json`);
  }

  readCursor(session: string): Cursor | undefined {
    let raw: string;
    try {
      raw = fs.readFileSync(this.cursorFile(session), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    try {
      const r = Cursor.safeParse(JSON.parse(raw));
      return r.success && r.data.session === session ? r.data : undefined;
    } catch {
      return undefined; // unreadable: start over (what was delivered may come again, nothing is lost)
    }
  }

  /** Durably when it records a delivery (synced before the text is handed out); else a plain replace. */
  private writeCursor(cursor: Cursor, durable: boolean): void {
    fs.mkdirSync(this.paths.cursors, { recursive: true });
    const file = this.cursorFile(cursor.session);
    if (durable) return writeFileAtomic(file, JSON.stringify(cursor), { syncDir: true });
    const tmp = `${file}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, JSON.stringify(cursor));
    fs.renameSync(tmp, file);
  }

  private allCursors(): Cursor[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.paths.cursors).filter((f) => f.endsWith('.json'));
    } catch {
      return [];
    }
    const out: Cursor[] = [];
    for (const f of names) {
      try {
        const r = Cursor.safeParse(JSON.parse(fs.readFileSync(path.join(this.paths.cursors, f), 'utf8')));
        if (r.success) out.push(r.data);
      } catch {
        /* being replaced or unreadable */
      }
    }
    return out;
  }

  private cursorsOfTask(task: string): Cursor[] {
    return this.allCursors().filter((c) => c.task === task);
  }
}

function pos(p: Position): LogPosition {
  return { ino: p.ino, offset: p.offset };
}

function samePosition(a: Position, b: LogPosition): boolean {
  return a.ino === b.ino && a.offset === b.offset;
}
