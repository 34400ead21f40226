// The rules of the shared memory that do not depend on where it is kept: text checks, what a
// delivery hands out (oldest first within the byte cap; at session start the recent notes of its
// task) and how far it moves the session's cursor, and who a message can be sent to without
// overfilling a mailbox. Both backends (embeddedMemory.ts on files, redisMemory.ts on Redis) run
// exactly these on what they read, so they behave alike.
import { addressedTo, MAX_ITEM_BYTES, type Message, type MessageTarget, type Note } from '../core/memory';
import { MailboxFullError, type SendOnce, type SessionRef } from './memoryStore';
import { StoreError } from './storeErrors';

export const DEFAULT_MAILBOX_SIZE = 20;
export const DEFAULT_DELIVERY_BYTES = 4000;
/** Notes shown at session start: the newest this many relevant to the session's task. */
const NOTES_AT_START = 10;

export function checkText(text: string, what: string): string {
  const t = text.trim();
  if (t === '') throw new StoreError(`the ${what} is empty`);
  const bytes = Buffer.byteLength(t);
  if (bytes > MAX_ITEM_BYTES) throw new StoreError(`the ${what} is ${bytes} bytes; at most ${MAX_ITEM_BYTES} fit in one agent event: shorten it or split it`);
  return t;
}

export interface DeliveryPick {
  notes: Note[];
  messages: Message[];
  notesLeft: number;
  messagesLeft: number;
  /** The numbers the session's cursor moves to: everything up to them is handled (delivered or not for it). */
  notesUpTo: number;
  messagesUpTo: number;
}

/**
 * What one delivery hands `session` from the notes and messages read after its cursor (`notesSeen`,
 * `messagesSeen`; items at or below them are ignored), and where its cursor moves.
 */
export function pickDelivery(input: {
  session: SessionRef;
  task: string | undefined;
  start: boolean;
  maxBytes: number;
  notes: readonly Note[];
  messages: readonly Message[];
  notesSeen: number;
  messagesSeen: number;
}): DeliveryPick {
  const { session, task, maxBytes, notesSeen, messagesSeen } = input;
  const lastNote = input.notes.reduce((m, n) => Math.max(m, n.n), notesSeen);
  const lastMsg = input.messages.reduce((m, x) => Math.max(m, x.n), messagesSeen);
  let notes = input.notes.filter((n) => n.n > notesSeen && n.by !== session.id);
  if (input.start) notes = recentRelevant(notes, task, Math.floor(maxBytes / 2));
  const messages = input.messages.filter((m) => m.n > messagesSeen && addressedTo(m, session.id, task));
  const picked = pickOldestFirst(notes, messages, maxBytes);
  const notesLeft = notes.length - picked.notes.length;
  const messagesLeft = messages.length - picked.messages.length;
  return {
    ...picked,
    notesLeft,
    messagesLeft,
    notesUpTo: notesLeft > 0 ? (picked.notes.at(-1)?.n ?? notesSeen) : lastNote,
    messagesUpTo: messagesLeft > 0 ? (picked.messages.at(-1)?.n ?? messagesSeen) : lastMsg,
  };
}

/**
 * Who a message to `to` goes to, given the live sessions and each one's undelivered count; throws
 * MailboxFullError when it cannot go (for `all`: only when every mailbox is full). `waitingForTask`
 * counts what already waits for a task that has no session now.
 */
export function addressMessage(input: {
  from: string;
  to: MessageTarget;
  live: readonly SessionRef[];
  cap: number;
  pending: (s: SessionRef) => number;
  waitingForTask: (task: string) => number;
}): { recipients: string[]; refused: string[] } {
  const { to, cap, pending } = input;
  const live = input.live.filter((s) => s.id !== input.from);
  const full = (s: SessionRef) => new MailboxFullError(`${s.id}'s mailbox is full (${cap} undelivered messages); they are delivered as its agent makes tool calls: try again later`);
  if (to.kind === 'session') {
    const s = live.find((l) => l.id === to.id) ?? { id: to.id };
    if (pending(s) >= cap) throw full(s);
    return { recipients: [to.id], refused: [] };
  }
  if (to.kind === 'task') {
    const sessions = live.filter((s) => s.task === to.id);
    for (const s of sessions) if (pending(s) >= cap) throw full(s);
    // Waits for the task's next session: count what already waits for it.
    if (sessions.length === 0 && input.waitingForTask(to.id) >= cap) throw new MailboxFullError(`task ${to.id}'s mailbox is full (${cap} messages wait for its next session): try again later`);
    return { recipients: sessions.map((s) => s.id), refused: [] };
  }
  const recipients: string[] = [];
  const refused: string[] = [];
  for (const s of live) (pending(s) >= cap ? refused : recipients).push(s.id);
  if (recipients.length === 0) {
    if (refused.length > 0) throw new MailboxFullError(`every session's mailbox is full (${refused.join(', ')}): try again later`);
    throw new StoreError('no session is running to receive a message to all');
  }
  return { recipients, refused };
}

/**
 * The earlier message a send with `once` would repeat (same sender, target and key, sent less than
 * `withinMs` before `now` or not yet delivered to its session), or undefined when it is news.
 * `seenBy`: how far a session's cursor has read the messages.
 */
export function repeatedMessage(all: readonly Message[], input: { from: string; to: MessageTarget; once?: SendOnce }, now: number, seenBy: (session: string) => number): Message | undefined {
  const once = input.once;
  if (!once) return undefined;
  let earlier: Message | undefined;
  for (let i = all.length - 1; i >= 0 && !earlier; i--) {
    const m = all[i]!;
    if (m.key === once.key && m.from === input.from && sameTarget(m.to, input.to)) earlier = m;
  }
  if (!earlier) return undefined;
  const waiting = earlier.to.kind === 'session' && seenBy(earlier.to.id) < earlier.n;
  return now - earlier.at < once.withinMs || waiting ? earlier : undefined;
}

function sameTarget(a: MessageTarget, b: MessageTarget): boolean {
  return a.kind === b.kind && (a.kind === 'all' || a.id === (b as { id: string }).id);
}

/** Messages after `seen` addressed to the session. */
export function undelivered(messages: readonly Message[], session: string, task: string | undefined, seen: number): Message[] {
  return messages.filter((m) => m.n > seen && addressedTo(m, session, task));
}

/** Messages to `task` after `seen` (what waits for the task's next session). */
export function waitingFor(messages: readonly Message[], task: string, seen: number): number {
  return messages.filter((m) => m.n > seen && m.to.kind === 'task' && m.to.id === task).length;
}

function itemBytes(item: Note | Message): number {
  return Buffer.byteLength(item.text) + 80;
}

/** The newest notes for the task (or for no task), within `budget` bytes, oldest first. */
function recentRelevant(notes: readonly Note[], task: string | undefined, budget: number): Note[] {
  const relevant = notes.filter((n) => n.task === undefined || n.task === task);
  const out: Note[] = [];
  let used = 0;
  for (let i = relevant.length - 1; i >= 0 && out.length < NOTES_AT_START; i--) {
    used += itemBytes(relevant[i]!);
    if (used > budget && out.length > 0) break;
    out.unshift(relevant[i]!);
  }
  return out;
}

/** Oldest first across both logs, within `maxBytes` (the first item always goes: items are capped at MAX_ITEM_BYTES). */
function pickOldestFirst(notes: readonly Note[], messages: readonly Message[], maxBytes: number): { notes: Note[]; messages: Message[] } {
  const out = { notes: [] as Note[], messages: [] as Message[] };
  let i = 0;
  let j = 0;
  let used = 0;
  while (i < notes.length || j < messages.length) {
    const takeNote = j >= messages.length || (i < notes.length && notes[i]!.at <= messages[j]!.at);
    const item = takeNote ? notes[i]! : messages[j]!;
    used += itemBytes(item);
    if (used > maxBytes && out.notes.length + out.messages.length > 0) break;
    if (takeNote) out.notes.push(notes[i++]!);
    else out.messages.push(messages[j++]!);
  }
  return out;
}
