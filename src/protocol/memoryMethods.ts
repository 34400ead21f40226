// The swarm's shared memory (decision log and mailboxes, src/store/embeddedMemory.ts) between the
// coordinator server and its client, declared once. The server (src/server/memoryHost.ts) registers
// a handler for each entry of `memoryRequests`, validates params with its zod schema, and pushes
// `lockstep/memoryChanged` (the whole MemoryState) whenever a note or message is written or a
// session's agent receives its messages (its delivery cursor moves).
//
// Notes and messages the user writes in VS Code are written as the user's session (`vscode:<user>`),
// through the same store functions as `lockstep note` and `lockstep send`.
import { NotificationType } from 'vscode-languageserver-protocol';
import * as z from '../core/zodClassic';
import { MAX_ITEM_BYTES, Message, Note } from '../core/memory';
import { TaskId } from '../core/plan';
import { request } from './requestSpec';

/** The newest this many notes travel to the client (the log itself keeps every one). */
export const NOTES_SHOWN = 500;

export const UnreadCount = z.object({
  session: z.string(),
  /** Messages addressed to the session that its agent has not received yet. */
  count: z.number().int().nonnegative(),
});
export type UnreadCount = z.infer<typeof UnreadCount>;

export const MemoryState = z.object({
  /** The newest NOTES_SHOWN notes, newest first. */
  notes: z.array(Note),
  /** How many notes the log holds in all. */
  total: z.number().int().nonnegative(),
  /** Undelivered messages per session (sessions with none are left out). */
  unread: z.array(UnreadCount),
});
export type MemoryState = z.infer<typeof MemoryState>;

const NoParams = z.preprocess((v) => (v == null ? {} : v), z.object({}).strict());

const ItemText = z
  .string()
  .refine((t) => t.trim() !== '', 'is empty')
  .refine((t) => new TextEncoder().encode(t.trim()).length <= MAX_ITEM_BYTES, `is longer than ${MAX_ITEM_BYTES} bytes (one agent event's worth): shorten it or split it`);

export const AddNoteParams = z.object({ text: ItemText, task: TaskId.optional() }).strict();
export type AddNoteParams = z.infer<typeof AddNoteParams>;
export const AddNoteResult = z.object({ note: Note });
export type AddNoteResult = z.infer<typeof AddNoteResult>;

export const SendMessageParams = z
  .object({
    /** A task id, a session id (`<agent>:<id>`), or `all` (the running sessions), as `lockstep send` takes it. */
    to: z.string().min(1).max(300),
    text: ItemText,
  })
  .strict();
export type SendMessageParams = z.infer<typeof SendMessageParams>;
export const SendMessageResult = z.object({
  message: Message,
  /** Sessions it is addressed to now (a task's later sessions get it too). */
  recipients: z.array(z.string()),
  /** Sessions skipped because their mailbox is full (only for `all`). */
  full: z.array(z.string()),
  /** One line for the user: who gets it and when. */
  text: z.string(),
});
export type SendMessageResult = z.infer<typeof SendMessageResult>;

/** Every client → server request of the shared memory. */
export const memoryRequests = {
  /** The decision log's newest notes and the unread counts, now. */
  getMemoryState: request('lockstep/getMemoryState', NoParams, MemoryState, {}),
  /** Adds a note to the decision log as the user's session. */
  addNote: request('lockstep/addNote', AddNoteParams, AddNoteResult, { text: 'Smoke test: dates are ISO 8601' }),
  /** Sends a message as the user's session; refused (InvalidParams, "mailbox is full") rather than dropped. */
  sendMessage: request('lockstep/sendMessage', SendMessageParams, SendMessageResult, { to: 'api', text: 'Smoke test message' }),
} as const;
export type MemoryRequests = typeof memoryRequests;
export type MemoryRequestName = keyof MemoryRequests;
export type MemoryRequestParams<K extends MemoryRequestName> = z.input<MemoryRequests[K]['params']>;
export type MemoryRequestResult<K extends MemoryRequestName> = z.infer<MemoryRequests[K]['result']>;

/** Server → client: the shared memory changed (whole state). */
export const memoryChangedNotification = new NotificationType<MemoryState>('lockstep/memoryChanged');
