// The interface of the swarm's shared memory (decision log, mailboxes, delivery cursors). Two
// implementations: on files beside the lease table (embeddedMemory.ts), and in team mode on the
// team store's Redis (redisMemory.ts); both run the same rules (memoryRules.ts) on this contract:
//  - note() returns only once the note is durable, with a number higher than every earlier one;
//  - send() refuses (MailboxFullError) rather than drops when a mailbox is full;
//  - deliver() hands each note and message to a session at most once, in order, and every one
//    eventually while the session keeps making hook calls.
import type { Message, MessageTarget, Note } from '../core/memory';

export interface SessionRef {
  id: string;
  task?: string;
}

export interface NoteQuery {
  /** Only notes numbered higher than this. */
  since?: number;
  task?: string;
  /** The newest `limit` of those found. */
  limit?: number;
}

export interface SendResult {
  message: Message;
  /** Sessions it is addressed to now (a task's later sessions get it too). */
  recipients: string[];
  /** Sessions it could not be addressed to because their mailbox is full (only for `all`). */
  full: string[];
  /**
   * Recipients whose idle agent is woken with it now (a Claude Code session waiting in its
   * asyncRewake Stop hook); the others get it with their agent's next hook event.
   */
  woken: string[];
  /** Set when nothing was sent because of `once`: `message` is the earlier one. */
  repeated?: true;
}

/**
 * Send only when it says something new: not when a message from the same sender to the same target
 * with the same key is still undelivered, or was sent less than `withinMs` ago.
 */
export interface SendOnce {
  key: string;
  withinMs: number;
}

export interface Delivery {
  notes: Note[];
  messages: Message[];
  /** Items left for the next event (the per-event cap was reached). */
  remaining: number;
}

export interface MemoryStore {
  note(input: { by: string; task?: string; text: string }): Note;
  notes(query?: NoteQuery): Note[];
  send(input: { from: string; to: MessageTarget; text: string; once?: SendOnce }): SendResult;
  /**
   * What the session has not seen yet, oldest first, capped in bytes; marks it seen. At session
   * start (`start`), recent notes relevant to its task come first and later notes from before the
   * start are skipped. Cheap (a few stats) when nothing is new.
   */
  deliver(session: SessionRef, opts?: { start?: boolean; maxBytes?: number }): Delivery | undefined;
  /** The messages waiting for the session (without notes); `consume` marks them read. */
  inbox(session: SessionRef, opts?: { consume?: boolean }): Message[];
  /** Undelivered messages per session that has a cursor or appears in `sessions`. */
  unreadCounts(sessions: readonly SessionRef[]): Record<string, number>;
  /** Changes whenever a note or message is added (stat only). */
  stamp(): string;
  /**
   * Where waiters on other machines must be told of (team mode): `waiter` can wake `session`'s idle
   * agent until `ttlMs` passes without another call, so a sender anywhere hears that it is woken.
   * (Locally the wake markers say it: wakeMarkers.ts.)
   */
  announceWaiter?(session: string, waiter: string, ttlMs: number): void;
  /** Ends an announcement, if it is still `waiter`'s. */
  withdrawWaiter?(session: string, waiter: string): void;
}

export class MailboxFullError extends Error {
  override readonly name = 'MailboxFullError';
}
