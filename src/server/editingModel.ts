// Merges every source of "who is editing what" into the collections clients see. Pure: the
// watchers gather the inputs, this decides what they mean.
//  - store (hooks, CLI): sessions, leases, recorded edits            → source 'hook' / 'cli' / …
//  - agents' transcripts: sessions and the files their tools wrote   → source 'transcript'
//  - each worktree's `git status`: uncommitted files; a file leased by a session of that worktree
//    is that session's edit (source 'worktree'), any other is an "unleased edit".
import type { AgentName, FactSource, LeaseTableState } from '../core/model';
import type { ChangeKind, EditView, HookHealthView, LeaseView, SessionView, UnleasedEdit, WorktreeView } from '../protocol/coordinatorState';

/** A transcript-only session counts as live while its transcript grew within this window. */
export const TRANSCRIPT_IDLE_MS = 15 * 60 * 1000;

export interface FileChange {
  key: string;
  change: ChangeKind;
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
}

export interface ModelCollections {
  sessions: SessionView[];
  leases: LeaseView[];
  worktrees: WorktreeView[];
  edits: EditView[];
  unleased: UnleasedEdit[];
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

  // Sessions: the store's, then transcript facts merged in.
  const sessions = new Map<string, SessionView>();
  for (const s of Object.values(store.sessions)) {
    sessions.set(s.id, {
      id: s.id,
      agent: s.agent,
      cwd: s.cwd,
      worktree: s.worktree,
      task: s.task,
      startedAt: s.startedAt,
      lastSeen: s.lastSeen,
      sources: [s.source],
      live: s.endedAt === undefined,
      readOnly: s.readOnly,
      endedAt: s.endedAt,
      endReason: s.endReason,
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

  // Leases in force: not expired, holder not ended (the store frees those at its next transaction).
  const leases = new Map<string, LeaseView>();
  for (const l of Object.values(store.leases)) {
    if (l.expiresAt <= now) continue;
    if (store.sessions[l.session]?.endedAt !== undefined) continue;
    bound(l.expiresAt);
    leases.set(l.key, { key: l.key, session: l.session, fence: l.fence, acquiredAt: l.acquiredAt, expiresAt: l.expiresAt, task: l.task });
  }

  // Edits reported by hooks and transcripts.
  const edits = new Map<string, EditView>();
  const editedBy = new Map<string, string[]>(); // unleasedId(worktree, key) → sessions
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
    }
  };
  for (const e of store.edits) addEdit(e.session, e.worktree, e.key, e.source, e.at, e.tool);
  for (const e of inputs.transcriptEdits) addEdit(e.session, e.worktree, e.key, 'transcript', e.at, e.tool);

  // Worktrees and their uncommitted files.
  const liveByWorktree = new Map<string, string[]>();
  for (const s of sessions.values()) {
    if (!s.live) continue;
    const list = liveByWorktree.get(s.worktree) ?? [];
    list.push(s.id);
    liveByWorktree.set(s.worktree, list);
  }
  const worktrees: WorktreeView[] = [];
  const unleased: UnleasedEdit[] = [];
  for (const w of inputs.worktrees) {
    worktrees.push({ path: w.path, branch: w.branch, head: w.head, main: w.main, changedFiles: w.changes?.length });
    for (const c of w.changes ?? []) {
      const lease = leases.get(c.key);
      const holder = lease ? sessions.get(lease.session) : undefined;
      if (lease && holder && holder.worktree === w.path) {
        addEdit(lease.session, w.path, c.key, 'worktree', lease.acquiredAt);
        continue;
      }
      const id = unleasedId(w.path, c.key);
      unleased.push({
        id,
        key: c.key,
        worktree: w.path,
        change: c.change,
        worktreeSessions: liveByWorktree.get(w.path) ?? [],
        editedBy: editedBy.get(id) ?? [],
        heldBy: lease?.session,
      });
    }
  }

  return {
    sessions: [...sessions.values()],
    leases: [...leases.values()],
    worktrees,
    edits: [...edits.values()],
    unleased,
    nextTimeBoundary: boundary,
  };
}
