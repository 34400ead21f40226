// The domain model shared by every layer. zod schemas are the single source of truth:
// store files, protocol messages and CLI JSON are all validated against these.
import { z } from 'zod';
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
  id: z.string().min(3).max(300),
  agent: AgentName,
  cwd: z.string(),
  /** Absolute path of the worktree the session works in (realpath). */
  worktree: z.string(),
  task: z.string().optional(),
  startedAt: z.number(),
  lastSeen: z.number(),
  source: FactSource.default('hook'),
  /** The agent process itself (not the hook, not the shell that ran the hook). */
  process: ProcessIdentity.optional(),
  /** Read-only sessions (read-only tasks) are denied every edit. */
  readOnly: z.boolean().default(false),
  endedAt: z.number().optional(),
  endReason: z.string().optional(),
});
export type Session = z.infer<typeof Session>;

export const Lease = z.object({
  /** Logical repo-relative POSIX path; identical across worktrees. */
  key: z.string().min(1),
  session: z.string(),
  /** 128-bit random hex; renew/release with another token is refused. */
  ownerToken: z.string().regex(/^[0-9a-f]{32}$/),
  /** Monotonic per repository; never repeats. */
  fence: z.number().int().positive(),
  acquiredAt: z.number(),
  expiresAt: z.number(),
  task: z.string().optional(),
  /**
   * Granted at an agent's pre-edit and not yet confirmed by its post-edit: released when the agent
   * reports that the edit did not happen (its own permission check refused it), or ends its turn
   * without confirming it (see LeaseTable.releaseUnconfirmed).
   */
  unconfirmed: z.object({ thread: z.string().optional(), toolUseId: z.string().optional() }).optional(),
});
export type Lease = z.infer<typeof Lease>;

/** A scope reserved for a running task: other sessions are denied edits inside it. */
export const Reservation = z.object({
  task: z.string(),
  globs: z.array(z.string()).min(1),
  /** Sessions working for the task (any of them may edit inside the scope). */
  sessions: z.array(z.string()).default([]),
  worktree: z.string().optional(),
  createdAt: z.number(),
});
export type Reservation = z.infer<typeof Reservation>;

export const RecordedEdit = z.object({
  key: z.string(),
  session: z.string(),
  worktree: z.string(),
  tool: z.string().optional(),
  at: z.number(),
  source: FactSource,
});
export type RecordedEdit = z.infer<typeof RecordedEdit>;

export const LeaseTableState = z.object({
  version: z.literal(1),
  /** The last fencing token issued. */
  fence: z.number().int().nonnegative(),
  sessions: ownRecordSchema(Session),
  leases: ownRecordSchema(Lease),
  reservations: ownRecordSchema(Reservation).default({}),
  /** Most recent edits, newest last, bounded (see MAX_RECORDED_EDITS). */
  edits: z.array(RecordedEdit).default([]),
  /** Run-time state of the plan's tasks (the plan file says what they are; this, where they stand). */
  tasks: ownRecordSchema(TaskRuntime).default({}),
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
  session: z.string().optional(),
  key: z.string().optional(),
  fence: z.number().optional(),
  reason: z.string().optional(),
  /** For denials: who holds the key. */
  holder: z.string().optional(),
});
export type JournalEntry = z.infer<typeof JournalEntry>;

export const DEFAULT_TTL_MS = 15 * 60 * 1000;
