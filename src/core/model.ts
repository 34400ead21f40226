// The domain model shared by every layer. zod schemas are the single source of truth:
// store files, protocol messages and CLI JSON are all validated against these.
import * as z from './zod';
import { ProcessIdentity } from './processIdentity';
import { asOwnRecord, ownRecord, ownRecordSchema } from './ownRecord';
import { TaskRuntime } from './task';

/**
 * Agents Lockstep speaks to. `vscode` is also the human user inside VS Code (`vscode:<user>`);
 * `custom` is an agent a plan launches by a command of its own, with no hook dialect.
 */
export const AGENT_NAMES = ['claude', 'codex', 'gemini', 'vscode', 'copilot', 'cursor', 'cline', 'windsurf', 'human', 'custom'] as const;
/** The agents with a hook dialect of their own. */
export const HOOK_AGENT_NAMES = AGENT_NAMES.filter((a): a is Exclude<(typeof AGENT_NAMES)[number], 'human' | 'custom'> => a !== 'human' && a !== 'custom');
export const AgentName = z.enum(AGENT_NAMES);
export type AgentName = z.infer<typeof AgentName>;

export { ProcessIdentity };

/** Where a fact about a session came from. */
export const FactSource = z.enum(['hook', 'transcript', 'worktree', 'cli', 'scheduler']);
export type FactSource = z.infer<typeof FactSource>;

export const Session = z.object({
  /** `<agent>:<agent's own session id>` */
  id: z.string().check(z.minLength(3), z.maxLength(300)),
  agent: AgentName,
  cwd: z.string(),
  /** Absolute path of the worktree the session works in (realpath). */
  worktree: z.string(),
  task: z.optional(z.string()),
  startedAt: z.number(),
  lastSeen: z.number(),
  source: z._default(FactSource, 'hook'),
  /** The agent process itself (not the hook, not the shell that ran the hook). */
  process: z.optional(ProcessIdentity),
  /** Read-only sessions (read-only tasks) are denied every edit. */
  readOnly: z._default(z.boolean(), false),
  endedAt: z.optional(z.number()),
  endReason: z.optional(z.string()),
});
export type Session = z.infer<typeof Session>;

export const Lease = z.object({
  /** Logical repo-relative POSIX path; identical across worktrees. */
  key: z.string().check(z.minLength(1)),
  session: z.string(),
  /** 128-bit random hex; renew/release with another token is refused. */
  ownerToken: z.string().check(z.regex(/^[0-9a-f]{32}$/)),
  /** Monotonic per repository; never repeats. */
  fence: z.int().check(z.positive()),
  acquiredAt: z.number(),
  expiresAt: z.number(),
  task: z.optional(z.string()),
  /**
   * Granted at an agent's pre-edit and not yet confirmed by its post-edit: released when the agent
   * reports that the edit did not happen (its own permission check refused it), or ends its turn
   * without confirming it (see LeaseTable.releaseUnconfirmed).
   */
  unconfirmed: z.optional(z.object({ thread: z.optional(z.string()), toolUseId: z.optional(z.string()) })),
});
export type Lease = z.infer<typeof Lease>;

/** A scope reserved for a running task: other sessions are denied edits inside it. */
export const Reservation = z.object({
  task: z.string(),
  globs: z.array(z.string()).check(z.minLength(1)),
  /** Sessions working for the task (any of them may edit inside the scope). */
  sessions: z._default(z.array(z.string()), () => []),
  worktree: z.optional(z.string()),
  createdAt: z.number(),
});
export type Reservation = z.infer<typeof Reservation>;

export const RecordedEdit = z.object({
  key: z.string(),
  session: z.string(),
  worktree: z.string(),
  tool: z.optional(z.string()),
  at: z.number(),
  source: FactSource,
});
export type RecordedEdit = z.infer<typeof RecordedEdit>;

export const LeaseTableState = z.object({
  version: z.literal(1),
  /** The last fencing token issued. */
  fence: z.int().check(z.nonnegative()),
  sessions: ownRecordSchema(Session),
  leases: ownRecordSchema(Lease),
  reservations: z._default(ownRecordSchema(Reservation), () => ownRecord<Reservation>()),
  /** Most recent edits, newest last, bounded (see MAX_RECORDED_EDITS). */
  edits: z._default(z.array(RecordedEdit), () => []),
  /** Run-time state of the plan's tasks (the plan file says what they are; this, where they stand). */
  tasks: z._default(ownRecordSchema(TaskRuntime), () => ownRecord<TaskRuntime>()),
});
export type LeaseTableState = z.infer<typeof LeaseTableState>;

export const MAX_RECORDED_EDITS = 2000;
/** Ended sessions are kept this long so UIs can show why they ended. */
export const ENDED_SESSION_RETENTION_MS = 60 * 60 * 1000;

export function emptyState(): LeaseTableState {
  return { version: 1, fence: 0, sessions: ownRecord(), leases: ownRecord(), reservations: ownRecord(), edits: [], tasks: ownRecord() };
}

/** The table with its keyed records made prototype-free (after a plain JSON.parse). */
export function withOwnRecords(state: LeaseTableState): LeaseTableState {
  state.sessions = asOwnRecord(state.sessions);
  state.leases = asOwnRecord(state.leases);
  state.reservations = asOwnRecord(state.reservations ?? {});
  state.tasks = asOwnRecord(state.tasks ?? {});
  return state;
}

export const JournalOp = z.enum([
  'grant',
  'deny',
  'renew',
  'release',
  'expire',
  'refuse',
  'session-start',
  'session-end',
  'edit',
  'reserve',
  'unreserve',
  'recover',
  'task',
]);
export type JournalOp = z.infer<typeof JournalOp>;

/** One line of the append-only journal. */
export const JournalEntry = z.object({
  at: z.number(),
  op: JournalOp,
  session: z.optional(z.string()),
  key: z.optional(z.string()),
  fence: z.optional(z.number()),
  reason: z.optional(z.string()),
  /** For denials: who holds the key. */
  holder: z.optional(z.string()),
});
export type JournalEntry = z.infer<typeof JournalEntry>;

export const DEFAULT_TTL_MS = 15 * 60 * 1000;
