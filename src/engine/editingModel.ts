// Merges every source of "who is editing what" into the collections clients see. Pure: the
// watchers gather the inputs, this decides what they mean.
//  - store (hooks, CLI): sessions, leases, recorded edits            → source 'hook' / 'cli' / …
//  - agents' transcripts: sessions and the files their tools wrote   → source 'transcript'
//  - each worktree's `git status` (with each file's mtime): uncommitted files. A file leased by a
//    session of that worktree is that session's edit (source 'worktree') unless its recorded edits do
//    not explain it and another session's shell command does (changeAttribution.ts); a file nobody
//    holds is the uncommitted work of a session that is no longer working when that session's
//    recorded edits explain it, or Lockstep's own write for the user (hook configuration) unchanged
//    since, and otherwise an "unleased edit" (a write that escaped the hooks).
//  - leases and sessions are read with liveness applied (leaseStanding.ts): a dead agent's lease is
//    free at once, as the lease table's next transaction will find it.
import { LOCKSTEP_WRITE_TOOL } from '../core/lockstepFolder';
import { leaseStanding, type ProcessVerdict } from '../core/leaseStanding';
import type { AgentName, FactSource, LeaseTableState, ProcessIdentity } from '../core/model';
import type { ChangeKind, EditView, EndedSessionWork, HookHealthView, LeaseView, SessionView, UnleasedEdit, WorktreeView } from '../protocol/coordinatorState';
import { editExplains, probableShellRun, shortCommand, type ShellRun } from './changeAttribution';
import { foldKey } from '../repoPaths/caseFolding';

export type { ShellRun } from './changeAttribution';

/** A transcript-only session counts as live while its transcript grew within this window. */
export const TRANSCRIPT_IDLE_MS = 15 * 60 * 1000;

export interface FileChange {
  key: string;
  change: ChangeKind;
  /** The file's modification time (ms), absent for a deleted file. */
  mtimeMs?: number;
}

export interface WorktreeState {
  /** realpath of the worktree's top folder */
  path: string;
  head?: string;
  branch?: string;
  main: boolean;
  /** Uncommitted files; undefined until the first `git status` finished. */
  changes?: readonly FileChange[];
}

export interface TranscriptSession {
  id: string;
  agent: AgentName;
  cwd: string;
  worktree: string;
  firstSeen: number;
  lastSeen: number;
}

export interface TranscriptEdit {
  session: string;
  worktree: string;
  key: string;
  tool?: string;
  at: number;
}

export interface ModelInputs {
  now: number;
  store: LeaseTableState;
  worktrees: readonly WorktreeState[];
  transcriptSessions: Iterable<TranscriptSession>;
  transcriptEdits: Iterable<TranscriptEdit>;
  /** Shell commands sessions ran (transcripts, hooks), for attributing writes no edit explains. */
  shellRuns?: Iterable<ShellRun>;
  /** Liveness of agent processes (default: unknown, i.e. TTL only). */
  processVerdict?: (identity: ProcessIdentity) => ProcessVerdict;
}

export interface ModelCollections {
  sessions: SessionView[];
  leases: LeaseView[];
  worktrees: WorktreeView[];
  edits: EditView[];
  unleased: UnleasedEdit[];
  endedWork: EndedSessionWork[];
  /** Installed agent hooks and whether they would work (not derived from edits: the coordinator adds it). */
  hooks: HookHealthView[];
}

export interface EditingModel extends Omit<ModelCollections, 'hooks'> {
  /** The next moment the model changes by time alone (a lease expires, a transcript goes idle). */
  nextTimeBoundary?: number;
}

export function editId(session: string, worktree: string, key: string): string {
  return JSON.stringify([session, worktree, key]);
}

export function unleasedId(worktree: string, key: string): string {
  return JSON.stringify([worktree, key]);
}

function addUnique<T>(list: T[], value: T): void {
  if (!list.includes(value)) list.push(value);
}

export function buildEditingModel(inputs: ModelInputs): EditingModel {
  const { now, store } = inputs;
  let boundary: number | undefined;
  const bound = (t: number) => {
    if (t > now && (boundary === undefined || t < boundary)) boundary = t;
  };

  // One liveness verdict per session per model.
  const verdicts = new Map<string, ProcessVerdict>();
  const verdictOf = (identity: ProcessIdentity, session: string): ProcessVerdict => {
    let v = verdicts.get(session);
    if (!v) {
      v = inputs.processVerdict?.(identity) ?? { state: 'unknown' };
      verdicts.set(session, v);
    }
    return v;
  };

  // Sessions: the store's, then transcript facts merged in.
  const sessions = new Map<string, SessionView>();
  for (const s of Object.values(store.sessions)) {
    const dead = s.endedAt === undefined && s.process ? verdictOf(s.process, s.id) : undefined;
    const gone = dead?.state === 'dead' ? dead.reason : undefined;
    sessions.set(s.id, {
      id: s.id,
      agent: s.agent,
      cwd: s.cwd,
      worktree: s.worktree,
      task: s.task,
      startedAt: s.startedAt,
      lastSeen: s.lastSeen,
      sources: [s.source],
      live: s.endedAt === undefined && gone === undefined,
      readOnly: s.readOnly,
      endedAt: s.endedAt,
      endReason: s.endReason ?? gone,
      pid: s.process?.pid,
    });
  }
  for (const t of inputs.transcriptSessions) {
    const idleAt = t.lastSeen + TRANSCRIPT_IDLE_MS;
    const existing = sessions.get(t.id);
    if (existing) {
      addUnique(existing.sources, 'transcript');
      existing.lastSeen = Math.max(existing.lastSeen, t.lastSeen);
      continue;
    }
    bound(idleAt);
    sessions.set(t.id, {
      id: t.id,
      agent: t.agent,
      cwd: t.cwd,
      worktree: t.worktree,
      startedAt: t.firstSeen,
      lastSeen: t.lastSeen,
      sources: ['transcript'],
      live: idleAt > now,
      readOnly: false,
    });
  }

  // Leases in force: not expired, holder not ended, holder's agent not gone (the store frees those
  // at its next transaction).
  const leases = new Map<string, LeaseView>();
  for (const l of Object.values(store.leases)) {
    if (leaseStanding(l, store.sessions[l.session], now, (p) => verdictOf(p, l.session)).kind !== 'in-force') continue;
    bound(l.expiresAt);
    leases.set(l.key, { key: l.key, session: l.session, fence: l.fence, acquiredAt: l.acquiredAt, expiresAt: l.expiresAt, task: l.task });
  }

  // Edits reported by hooks and transcripts.
  const edits = new Map<string, EditView>();
  const editedBy = new Map<string, string[]>(); // unleasedId(worktree, key) → sessions
  const lastEdits = new Map<string, Map<string, number>>(); // unleasedId(worktree, key) → session → newest recorded edit
  const addEdit = (session: string, worktree: string, key: string, source: FactSource, at: number, tool?: string) => {
    const id = editId(session, worktree, key);
    let e = edits.get(id);
    if (!e) {
      e = { id, key, worktree, session, sources: [], tools: [], at };
      edits.set(id, e);
    }
    addUnique(e.sources, source);
    if (tool) addUnique(e.tools, tool);
    e.at = Math.max(e.at, at);
    if (source !== 'worktree') {
      const wk = unleasedId(worktree, key);
      const by = editedBy.get(wk) ?? [];
      addUnique(by, session);
      editedBy.set(wk, by);
      const last = lastEdits.get(wk) ?? new Map<string, number>();
      last.set(session, Math.max(last.get(session) ?? -Infinity, at));
      lastEdits.set(wk, last);
    }
  };
  for (const e of store.edits) addEdit(e.session, e.worktree, e.key, e.source, e.at, e.tool);
  const lockstepWrites = new Map<string, { at: number }>(); // unleasedId(worktree, key) → Lockstep's newest write for the user
  for (const e of store.edits) {
    if (e.tool !== LOCKSTEP_WRITE_TOOL) continue;
    const id = unleasedId(e.worktree, e.key);
    if ((lockstepWrites.get(id)?.at ?? -Infinity) < e.at) lockstepWrites.set(id, { at: e.at });
  }
  for (const e of inputs.transcriptEdits) addEdit(e.session, e.worktree, e.key, 'transcript', e.at, e.tool);

  // Worktrees and their uncommitted files.
  const liveByWorktree = new Map<string, string[]>();
  for (const s of sessions.values()) {
    if (!s.live) continue;
    const list = liveByWorktree.get(s.worktree) ?? [];
    list.push(s.id);
    liveByWorktree.set(s.worktree, list);
  }
  const shellRuns = [...(inputs.shellRuns ?? [])];
  const worktrees: WorktreeView[] = [];
  const unleased: UnleasedEdit[] = [];
  const endedWork: EndedSessionWork[] = [];
  for (const w of inputs.worktrees) {
    worktrees.push({ path: w.path, branch: w.branch, head: w.head, main: w.main, changedFiles: w.changes?.length });
    for (const change of w.changes ?? []) {
      // git names the file as it is on disk; lease keys are folded where the file system folds names.
      const c = { ...change, key: foldKey(w.path, change.key) };
      const id = unleasedId(w.path, c.key);
      const last = lastEdits.get(id);
      const lease = leases.get(c.key);
      const holder = lease ? sessions.get(lease.session) : undefined;
      const escaped = (fields: Partial<UnleasedEdit>) =>
        unleased.push({ id, key: c.key, worktree: w.path, change: c.change, worktreeSessions: liveByWorktree.get(w.path) ?? [], editedBy: editedBy.get(id) ?? [], ...fields });
      const shellFields = (since: number): Partial<UnleasedEdit> => {
        const run = c.mtimeMs !== undefined ? probableShellRun(shellRuns, w.path, c.key, c.mtimeMs, since) : undefined;
        return run ? { shellBy: run.session, shellCommand: shortCommand(run.command) } : {};
      };
      if (lease && holder && holder.worktree === w.path) {
        // The holder's own recorded edit explains it; else another session's shell command may.
        const own = last?.get(lease.session);
        if (own !== undefined && editExplains(own, c.mtimeMs)) {
          addEdit(lease.session, w.path, c.key, 'worktree', lease.acquiredAt);
          continue;
        }
        const shell = shellFields(own ?? -Infinity);
        // Without evidence against it, a holder whose edits are not recorded (a claim by a person) wrote it.
        if (shell.shellBy === lease.session || (shell.shellBy === undefined && own === undefined)) {
          addEdit(lease.session, w.path, c.key, 'worktree', lease.acquiredAt);
          continue;
        }
        escaped({ notWrittenByHolder: lease.session, ...shell });
        continue;
      }
      // Written by Lockstep for the user (and unchanged since): the user's work, not an escaped write.
      const own = lockstepWrites.get(id);
      if (!lease && own && editExplains(own.at, c.mtimeMs)) continue;
      // Nobody of this worktree holds it: the work of a session that stopped, if its edit explains it.
      let newest: { session: string; at: number } | undefined;
      for (const [session, at] of last ?? []) if (!newest || at > newest.at) newest = { session, at };
      const author = newest ? sessions.get(newest.session) : undefined;
      if (newest && author && !author.live && author.worktree === w.path && editExplains(newest.at, c.mtimeMs) && !lease) {
        endedWork.push({ id, key: c.key, worktree: w.path, change: c.change, session: author.id, endedAt: author.endedAt, endReason: author.endReason, lastEditAt: newest.at });
        continue;
      }
      escaped({ heldBy: lease?.session, ...shellFields(newest?.at ?? -Infinity) });
    }
  }

  return {
    sessions: [...sessions.values()],
    leases: [...leases.values()],
    worktrees,
    edits: [...edits.values()],
    unleased,
    endedWork,
    nextTimeBoundary: boundary,
  };
}
