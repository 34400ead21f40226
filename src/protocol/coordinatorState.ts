// What the coordinator server knows about "who is editing what", as the extension (or any client)
// receives it: a full Snapshot, then Deltas. Every collection is a list of items with a stable
// identity field, so a Delta is "upsert these items, remove these identities".
//
// Identity of each collection (the field a Delta's `remove` lists):
//   sessions → id         leases → key         worktrees → path
//   edits    → id         unleased → id        endedWork → id
//   hooks    → id
import * as z from '../core/zodClassic';
import { AgentName, FactSource } from '../core/model';

/** A session (an agent's, or the user's `vscode:<user>`), merged from every source that reported it. */
export const SessionView = z.object({
  /** `<agent>:<agent's session id>`, e.g. `claude:3f2a…`, `codex:…`, `vscode:alice`. */
  id: z.string(),
  agent: AgentName,
  cwd: z.string(),
  /** Absolute realpath of the worktree the session works in ('' when its cwd is in no worktree). */
  worktree: z.string(),
  task: z.string().optional(),
  startedAt: z.number(),
  lastSeen: z.number(),
  /** Every source that reported this session: 'hook' (lease store), 'transcript', 'cli', 'scheduler'. */
  sources: z.array(FactSource).min(1),
  /**
   * Still working: not ended in the store and its agent process (when known) still runs; for a
   * transcript-only session, its transcript grew within the last TRANSCRIPT_IDLE_MS.
   */
  live: z.boolean(),
  readOnly: z.boolean(),
  endedAt: z.number().optional(),
  endReason: z.string().optional(),
  /** The agent's process id, when a hook identified it (the server ends the session when it exits). */
  pid: z.number().optional(),
});
export type SessionView = z.infer<typeof SessionView>;

/** A lease as the store holds it, without the owner token (a secret of the holder). */
export const LeaseView = z.object({
  /** Logical repo-relative POSIX path, the same in every worktree. */
  key: z.string(),
  session: z.string(),
  fence: z.number(),
  acquiredAt: z.number(),
  expiresAt: z.number(),
  task: z.string().optional(),
});
export type LeaseView = z.infer<typeof LeaseView>;

/**
 * "Session S edited file K in worktree W", merged from every source that saw it:
 * 'hook' (the store's recorded edits), 'transcript' (the agent's own transcript), 'worktree'
 * (the file is uncommitted in W and S holds its lease).
 */
export const EditView = z.object({
  /** JSON.stringify([session, worktree, key]) */
  id: z.string(),
  key: z.string(),
  worktree: z.string(),
  session: z.string(),
  sources: z.array(FactSource).min(1),
  /** The agent tool names seen (`Edit`, `apply_patch`…), when a hook or transcript said. */
  tools: z.array(z.string()),
  /** Latest time any source saw the edit (ms since epoch). */
  at: z.number(),
});
export type EditView = z.infer<typeof EditView>;

/** How `git status` reports an uncommitted file. */
export const ChangeKind = z.enum(['modified', 'added', 'deleted', 'renamed', 'copied', 'typechange', 'unmerged', 'untracked']);
export type ChangeKind = z.infer<typeof ChangeKind>;

/**
 * An uncommitted change in a worktree that escaped the leases: no session working in that worktree
 * holds a lease on it, or the holder's recorded edits do not explain it. Typically a write through a
 * shell command, or a user's edit without a claim.
 */
export const UnleasedEdit = z.object({
  /** JSON.stringify([worktree, key]) */
  id: z.string(),
  key: z.string(),
  worktree: z.string(),
  change: ChangeKind,
  /** Live sessions working in that worktree (the likely authors). */
  worktreeSessions: z.array(z.string()),
  /** Sessions whose hook or transcript reported editing this key in this worktree. */
  editedBy: z.array(z.string()),
  /** The key is leased, but by a session of another worktree: a conflict in the making. */
  heldBy: z.string().optional(),
  /**
   * The key is leased by a session of this worktree, but that session's recorded edits do not explain
   * the change (the file changed after its last recorded edit).
   */
  notWrittenByHolder: z.string().optional(),
  /** The session whose shell command most likely made the change (it ran in this worktree as the file changed). */
  shellBy: z.string().optional(),
  /** That shell command (shortened). */
  shellCommand: z.string().optional(),
});
export type UnleasedEdit = z.infer<typeof UnleasedEdit>;

/**
 * An uncommitted change that a session no longer working (ended, its agent gone, or its transcript
 * idle) made through its own recorded edits, and nobody changed since: work left behind, not a
 * write that escaped the hooks.
 */
export const EndedSessionWork = z.object({
  /** JSON.stringify([worktree, key]) */
  id: z.string(),
  key: z.string(),
  worktree: z.string(),
  change: ChangeKind,
  session: z.string(),
  /** When the session ended, if the store says. */
  endedAt: z.number().optional(),
  endReason: z.string().optional(),
  /** The session's last recorded edit of the file (ms since epoch). */
  lastEditAt: z.number(),
});
export type EndedSessionWork = z.infer<typeof EndedSessionWork>;

export const WorktreeView = z.object({
  /** Absolute realpath of the worktree's top folder. */
  path: z.string(),
  /** Short branch name (`main`), absent when detached. */
  branch: z.string().optional(),
  head: z.string().optional(),
  main: z.boolean(),
  /** Number of uncommitted files (`git status`), or undefined before the first status finished. */
  changedFiles: z.number().optional(),
});
export type WorktreeView = z.infer<typeof WorktreeView>;

export const CoordinatorConfig = z.object({
  ttlSeconds: z.number(),
  failOpen: z.boolean(),
  scopePolicy: z.enum(['deny', 'warn', 'off']),
  /** Team mode: the Redis store in use (URL without password, team key); absent for the embedded store. */
  store: z.string().optional(),
  /** The store cannot be reached (one line); hooks answer per failOpen meanwhile. */
  storeProblem: z.string().optional(),
  /** The configured store is no longer the one in use (lockstep config --store, lockstep.store): the client restarts the coordinator. */
  storeChanged: z.string().optional(),
});
export type CoordinatorConfig = z.infer<typeof CoordinatorConfig>;

/**
 * An installed agent hook configuration (repository or home folder) and whether it would work: its
 * command reaches a working Lockstep, and the agent is willing to run it (see agents/install/hookHealth.ts).
 */
export const HookHealthView = z.object({
  /** `<agent>:<scope>:<file>` */
  id: z.string(),
  agent: AgentName,
  scope: z.enum(['project', 'user']),
  file: z.string(),
  /** How the agent reaches Lockstep for edit decisions: a command hook, or Claude Code's mcp_tool hook (the lockstep MCP server). */
  transport: z.enum(['command', 'mcp_tool']),
  /** Whether every failure of Lockstep blocks the edit. */
  failsClosed: z.boolean(),
  /** Whether a failing Lockstep blocks the edit, in words. */
  failure: z.string(),
  ok: z.boolean(),
  /** One line each, with the step that fixes it. */
  problems: z.array(z.string()),
  notes: z.array(z.string()),
});
export type HookHealthView = z.infer<typeof HookHealthView>;

export const Snapshot = z.object({
  /** Random id of this server process; a different epoch means the server restarted. */
  epoch: z.string(),
  /** Revision this snapshot is at; deltas continue from it (revision + 1, + 2, …). */
  revision: z.number().int().nonnegative(),
  /** When the server built it (ms since epoch). */
  at: z.number(),
  repo: z.object({
    /** realpath of the git common dir: the repository's identity. */
    commonDir: z.string(),
    /** The worktree the client's workspace folder is in. */
    root: z.string(),
  }),
  /** The user's own session id (`vscode:<user>`), used by claim/release. */
  userSession: z.string(),
  config: CoordinatorConfig,
  sessions: z.array(SessionView),
  leases: z.array(LeaseView),
  worktrees: z.array(WorktreeView),
  edits: z.array(EditView),
  unleased: z.array(UnleasedEdit),
  endedWork: z.array(EndedSessionWork),
  hooks: z.array(HookHealthView),
});
export type Snapshot = z.infer<typeof Snapshot>;

function changes<T extends z.ZodTypeAny>(item: T) {
  return z.object({ upsert: z.array(item), remove: z.array(z.string()) });
}

/**
 * Changes from revision `baseRevision` to `revision` (= baseRevision + 1). A client applies it only
 * when it holds exactly `baseRevision` of the same `epoch`; otherwise it calls `lockstep/getSnapshot`.
 * Collections without changes are omitted.
 */
export const StateDelta = z.object({
  epoch: z.string(),
  revision: z.number().int().positive(),
  baseRevision: z.number().int().nonnegative(),
  at: z.number(),
  config: CoordinatorConfig.optional(),
  sessions: changes(SessionView).optional(),
  leases: changes(LeaseView).optional(),
  worktrees: changes(WorktreeView).optional(),
  edits: changes(EditView).optional(),
  unleased: changes(UnleasedEdit).optional(),
  endedWork: changes(EndedSessionWork).optional(),
  hooks: changes(HookHealthView).optional(),
});
export type StateDelta = z.infer<typeof StateDelta>;

/** The collections of a Snapshot, and the identity field of each. */
export const COLLECTION_IDS = {
  sessions: 'id',
  leases: 'key',
  worktrees: 'path',
  edits: 'id',
  unleased: 'id',
  endedWork: 'id',
  hooks: 'id',
} as const;
export type CollectionName = keyof typeof COLLECTION_IDS;

/**
 * Applies a delta to a snapshot, returning the new snapshot, or undefined when the delta does not
 * follow it (different epoch or a revision gap): the caller must then re-request the snapshot.
 */
export function applyDelta(snapshot: Snapshot, delta: StateDelta): Snapshot | undefined {
  if (delta.epoch !== snapshot.epoch || delta.baseRevision !== snapshot.revision) return undefined;
  const next: Snapshot = { ...snapshot, revision: delta.revision, at: delta.at, config: delta.config ?? snapshot.config };
  for (const name of Object.keys(COLLECTION_IDS) as CollectionName[]) {
    const change = delta[name];
    if (!change) continue;
    const idField = COLLECTION_IDS[name];
    const byId = new Map<string, unknown>();
    for (const item of snapshot[name] as Record<string, unknown>[]) byId.set(String(item[idField]), item);
    for (const id of change.remove) byId.delete(id);
    for (const item of change.upsert as Record<string, unknown>[]) byId.set(String(item[idField]), item);
    (next as Record<CollectionName, unknown[]>)[name] = [...byId.values()];
  }
  return next;
}
