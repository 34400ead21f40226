// The shared memory in team mode: the decision log, mailboxes and delivery cursors of one team on
// the Redis server holding its lease table, so every clone on every machine reads the same notes
// and messages. Same contract and the same rules (memoryRules.ts) as the embedded memory; the
// scripts (redisMemoryScripts.ts) make it safe across processes and machines without a lock:
//  - a note or message gets its number and time from the server, in the script that appends it;
//  - a send counts the mailboxes, then appends only if no message came in between (else counts again);
//  - a delivery reads after the session's cursor, then moves the cursor only if no other delivery
//    moved it meanwhile (else reads again): each item is handed to a session once, in order.
// Wake markers stay local (wakeMarkers.ts: a waiting agent is a process on this machine); its waiter
// also announces itself here with a deadline it keeps renewing, so senders on other machines hear
// that their message wakes it.
import * as z from '../core/zod';
import { Message, Note, type MessageTarget } from '../core/memory';
import { sleepSync } from './fileLock';
import { addressMessage, checkText, DEFAULT_DELIVERY_BYTES, DEFAULT_MAILBOX_SIZE, pickDelivery, repeatedMessage, undelivered, waitingFor } from './memoryRules';
import type { Delivery, MemoryStore, NoteQuery, SendOnce, SendResult, SessionRef } from './memoryStore';
import { displayUrl, redisBridge, type RedisBridge } from './redisBridge';
import type { ScriptName } from './redisBridgeProtocol';
import { MEMORY_KEEP, memoryKeys } from './redisMemoryScripts';
import { StoreError } from './storeErrors';
import { liveWaiter } from './wakeMarkers';

const Cursor = z.object({ session: z.string(), task: z.optional(z.string()), notes: z.int().check(z.nonnegative()), messages: z.int().check(z.nonnegative()) });
type Cursor = z.infer<typeof Cursor>;

export interface RedisMemoryOptions {
  /** The sessions alive now (for `all`, and a task's sessions): the team's lease table's. */
  liveSessions: () => SessionRef[];
  /** This machine's wake markers (wakeMarkers.ts). */
  wakeDir: string;
  mailboxSize?: number;
  deliveryBytes?: number;
  /** How long a send or delivery keeps trying when other processes keep coming first (default 10 s). */
  lockTimeoutMs?: number;
}

export class RedisMemory implements MemoryStore {
  readonly keys: ReturnType<typeof memoryKeys>;
  private readonly bridge: RedisBridge;

  constructor(
    readonly url: string,
    readonly teamKey: string,
    private readonly opts: RedisMemoryOptions,
  ) {
    this.keys = memoryKeys(teamKey);
    this.bridge = redisBridge(url);
  }

  private script(script: ScriptName, keys: string[], args: Array<string | number>): unknown {
    return this.bridge.call({ op: 'script', script, keys, args });
  }

  /** Runs `attempt` until it returns a value; undefined means another process came first. */
  private retrying<T>(what: string, attempt: () => { value: T } | undefined): T {
    const limit = this.opts.lockTimeoutMs ?? 10_000;
    const deadline = Date.now() + limit;
    for (let i = 1; ; i++) {
      const r = attempt();
      if (r) return r.value;
      if (Date.now() > deadline) throw new StoreError(`team store ${displayUrl(this.url)} (team ${this.teamKey}): ${what} lost to other writers ${i} times in ${Math.round(limit / 1000)} s; try again`);
      sleepSync(Math.random() * Math.min(i, 10));
    }
  }

  note(input: { by: string; task?: string; text: string }): Note {
    const text = checkText(input.text, 'note');
    const body = JSON.stringify({ by: input.by, ...(input.task ? { task: input.task } : {}), text });
    return Note.parse(JSON.parse(String(this.script('lockstepNote', [this.keys.notes, this.keys.notesLast], [body, MEMORY_KEEP]))));
  }

  notes(query: NoteQuery = {}): Note[] {
    const raw = this.script('lockstepNotes', [this.keys.notes, this.keys.notesLast], [query.since ?? 0]) as string[];
    let found = items(raw, Note).filter((n) => (query.since === undefined || n.n > query.since) && (query.task === undefined || n.task === query.task));
    if (query.limit !== undefined) found = found.slice(Math.max(0, found.length - query.limit));
    return found;
  }

  send(input: { from: string; to: MessageTarget; text: string; once?: SendOnce }): SendResult {
    const text = checkText(input.text, 'message');
    const cap = this.opts.mailboxSize ?? DEFAULT_MAILBOX_SIZE;
    const to = input.to;
    const k = this.keys;
    return this.retrying<SendResult>('sending the message', () => {
      const live = this.opts.liveSessions();
      // Whose mailboxes count: read the messages after the lowest of their cursors.
      const counted = to.kind === 'session' ? [to.id] : live.filter((s) => s.id !== input.from && (to.kind === 'all' || s.task === to.id)).map((s) => s.id);
      // Every kept message when a task has no session to count, or when `once` looks for an earlier one.
      const from = input.once || (to.kind === 'task' && counted.length === 0) ? 'all' : 'cursors';
      const [last, pairs, raw, now] = this.script('lockstepMailboxes', [k.messages, k.messagesLast, k.cursors], [from, ...counted]) as [string, string[], string[], string];
      const cursors = cursorMap(pairs);
      const all = items(raw, Message);
      // Decided on what was read: a message sent in between fails the append below, and this runs again.
      // On the server's clock, as the messages' times are: machines' clocks may differ.
      const earlier = repeatedMessage(all, input, Number(now), (id) => cursors.get(id)?.messages ?? 0);
      if (earlier) return { value: { message: earlier, recipients: [], full: [], woken: [], repeated: true } };
      const { recipients, refused } = addressMessage({
        from: input.from,
        to,
        live,
        cap,
        pending: (s) => {
          const c = cursors.get(s.id);
          return undelivered(all, s.id, s.task ?? c?.task, c?.messages ?? 0).length;
        },
        waitingForTask: (task) => waitingFor(all, task, [...cursors.values()].filter((c) => c.task === task).reduce((m, c) => Math.max(m, c.messages), 0)),
      });
      const body = JSON.stringify({ from: input.from, to, ...(to.kind === 'all' ? { recipients } : {}), text, ...(input.once ? { key: input.once.key } : {}) });
      const stored = this.script('lockstepSend', [k.messages, k.messagesLast], [last, body, MEMORY_KEEP]);
      if (stored === null || stored === undefined) return undefined;
      const message = Message.parse(JSON.parse(String(stored)));
      return { value: { message, recipients, full: refused, woken: this.wakeable(recipients) } };
    });
  }

  /** [cursor JSON as stored, cursor, last note and message numbers, notes and messages after it]; undefined when nothing is new. */
  private readForDelivery(session: string, force: boolean, withNotes: boolean) {
    const k = this.keys;
    const r = this.script('lockstepDeliveryRead', [k.notes, k.notesLast, k.messages, k.messagesLast, k.cursors], [session, force ? 1 : 0, withNotes ? 1 : 0]) as [string, string?, string?, string[]?, string[]?];
    if (r.length === 1) return undefined;
    const [raw, nn, mn, notes, messages] = r;
    return { raw, cursor: parseCursor(raw, session), lastNote: Number(nn), lastMessage: Number(mn), notes: items(notes ?? [], Note), messages: items(messages ?? [], Message) };
  }

  /** Moves the cursor from `raw` (as read) to `next`; false when another process moved it first. */
  private moveCursor(session: string, raw: string, next: Cursor): boolean {
    const json = JSON.stringify(next);
    if (json === raw) return true;
    return Number(this.script('lockstepCursor', [this.keys.cursors, this.keys.cursorsMoved], [session, raw, json])) === 1;
  }

  deliver(session: SessionRef, opts: { start?: boolean; maxBytes?: number } = {}): Delivery | undefined {
    const maxBytes = opts.maxBytes ?? this.opts.deliveryBytes ?? DEFAULT_DELIVERY_BYTES;
    return this.retrying('delivering', () => {
      const read = this.readForDelivery(session.id, !!opts.start, true);
      if (!read) return { value: undefined };
      const { cursor } = read;
      const task = session.task ?? cursor?.task;
      const pick = pickDelivery({ session, task, start: !!opts.start || !cursor, maxBytes, notes: read.notes, messages: read.messages, notesSeen: cursor?.notes ?? 0, messagesSeen: cursor?.messages ?? 0 });
      const next: Cursor = {
        session: session.id,
        ...(task ? { task } : {}),
        // Read to the end: up to the counter (items trimmed away count as handled).
        notes: pick.notesLeft > 0 ? pick.notesUpTo : Math.max(pick.notesUpTo, read.lastNote),
        messages: pick.messagesLeft > 0 ? pick.messagesUpTo : Math.max(pick.messagesUpTo, read.lastMessage),
      };
      if (!this.moveCursor(session.id, read.raw, next)) return undefined;
      const delivered = pick.notes.length + pick.messages.length > 0;
      return { value: delivered ? { notes: pick.notes, messages: pick.messages, remaining: pick.notesLeft + pick.messagesLeft } : undefined };
    });
  }

  inbox(session: SessionRef, opts: { consume?: boolean } = {}): Message[] {
    return this.retrying('reading the inbox', () => {
      const read = this.readForDelivery(session.id, true, false)!;
      const task = session.task ?? read.cursor?.task;
      const messages = undelivered(read.messages, session.id, task, read.cursor?.messages ?? 0);
      if (!opts.consume) return { value: messages };
      // Notes a session reads in the log itself: consuming the inbox leaves them for its hooks.
      const next: Cursor = { session: session.id, ...(task ? { task } : {}), notes: read.cursor?.notes ?? read.lastNote, messages: Math.max(read.cursor?.messages ?? 0, read.lastMessage) };
      return this.moveCursor(session.id, read.raw, next) ? { value: messages } : undefined;
    });
  }

  unreadCounts(sessions: readonly SessionRef[]): Record<string, number> {
    const k = this.keys;
    const [, pairs, raw] = this.script('lockstepMailboxes', [k.messages, k.messagesLast, k.cursors], ['every-cursor', ...sessions.map((s) => s.id)]) as [string, string[], string[]];
    const cursors = cursorMap(pairs);
    const all = items(raw, Message);
    const refs = new Map(sessions.map((s) => [s.id, s]));
    for (const c of cursors.values()) if (!refs.has(c.session)) refs.set(c.session, { id: c.session, task: c.task });
    const out: Record<string, number> = {};
    for (const s of refs.values()) {
      const c = cursors.get(s.id);
      out[s.id] = undelivered(all, s.id, s.task ?? c?.task, c?.messages ?? 0).length;
    }
    return out;
  }

  /** The sessions whose idle agent is woken by a message now: a waiter on this machine, or announced from another. */
  private wakeable(sessions: readonly string[]): string[] {
    if (sessions.length === 0) return [];
    const announced = new Set(this.script('lockstepWaiting', [this.keys.waiters], [...sessions]) as string[]);
    return sessions.filter((s) => announced.has(s) || liveWaiter(this.opts.wakeDir, s) !== undefined);
  }

  announceWaiter(session: string, waiter: string, ttlMs: number): void {
    this.script('lockstepWaiter', [this.keys.waiters], [session, waiter, Math.max(1, Math.round(ttlMs))]);
  }

  withdrawWaiter(session: string, waiter: string): void {
    this.script('lockstepWaiter', [this.keys.waiters], [session, waiter, 0]);
  }

  stamp(): string {
    const k = this.keys;
    return `redis:${String(this.script('lockstepMemoryStamp', [k.notesLast, k.messagesLast, k.cursorsMoved], []))}`;
  }
}

/** The items that parse (one written by something else is skipped, as a torn line in the embedded log). */
function items<T>(raw: readonly string[], schema: z.ZodMiniType<T, unknown>): T[] {
  const out: T[] = [];
  for (const line of raw) {
    try {
      const r = schema.safeParse(JSON.parse(line));
      if (r.success) out.push(r.data);
    } catch {
      /* not JSON */
    }
  }
  return out;
}

function parseCursor(raw: string, session: string): Cursor | undefined {
  if (raw === '') return undefined;
  try {
    const r = Cursor.safeParse(JSON.parse(raw));
    return r.success && r.data.session === session ? r.data : undefined;
  } catch {
    return undefined; // unreadable: start over (what was delivered may come again, nothing is lost)
  }
}

function cursorMap(pairs: readonly string[]): Map<string, Cursor> {
  const out = new Map<string, Cursor>();
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    const c = parseCursor(pairs[i + 1]!, pairs[i]!);
    if (c) out.set(c.session, c);
  }
  return out;
}
