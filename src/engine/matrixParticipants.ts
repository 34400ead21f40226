// Who the matrix compares, from what the coordinator (or the CLI) knows: every plan task with its
// scope, status, branch, the leases of its sessions and the files it edited (recorded edits and
// uncommitted changes in its worktree), plus live sessions not tied to a task that hold or edited
// something. Pure: the inputs are gathered elsewhere (matrixSources.ts).
import { isLockstepFolderKey, LOCKSTEP_WRITE_TOOL } from '../core/lockstepFolder';
import type { MatrixParticipant } from '../core/matrix';
import type { Plan } from '../core/plan';
import type { TaskRuntime, TaskStatus } from '../core/task';
import type { EditView, EndedSessionWork, LeaseView, SessionView, UnleasedEdit } from '../protocol/coordinatorState';
import type { MatrixParticipantView } from '../protocol/matrixMethods';

/** The "who is editing what" collections (a coordinator Snapshot has them). */
export interface EditingFacts {
  sessions: readonly SessionView[];
  leases: readonly LeaseView[];
  edits: readonly EditView[];
  unleased: readonly UnleasedEdit[];
  /** Uncommitted files ended sessions' recorded edits explain (their left-over work). */
  endedWork?: readonly EndedSessionWork[];
}

/** What git says about a task's branch. */
export interface BranchFacts {
  branch: string;
  tip: string;
  /** Files changed on the branch since its fork point from the target (both sides of renames). */
  files: readonly string[];
}

export interface ParticipantInputs {
  plan: Plan | undefined;
  runtime: Readonly<Record<string, TaskRuntime>>;
  editing: EditingFacts;
  /** Per task id, when its branch exists. */
  branches: ReadonlyMap<string, BranchFacts>;
  /** Compare scopes only: no leases, edits or branches. */
  plannedOnly?: boolean;
}

export interface DerivedParticipant {
  model: MatrixParticipant;
  view: MatrixParticipantView;
}

const EMPTY_EDITING: EditingFacts = { sessions: [], leases: [], edits: [], unleased: [] };

function sortedUnique(keys: Iterable<string>): string[] {
  return [...new Set(keys)].sort();
}

/** Participants in order: plan tasks (plan order), then sessions not tied to a task (by id). */
export function deriveParticipants(inputs: ParticipantInputs): DerivedParticipant[] {
  const editing = inputs.plannedOnly ? EMPTY_EDITING : inputs.editing;
  const out: DerivedParticipant[] = [];
  const tasks = inputs.plan?.tasks ?? [];
  const taskIds = new Set(tasks.map((t) => t.id));
  const claimed = new Set<string>(); // sessions working for a plan task

  for (const t of tasks) {
    const rt = inputs.runtime[t.id];
    const sessions = new Set(rt?.sessions ?? []);
    for (const s of editing.sessions) if (s.task === t.id) sessions.add(s.id);
    for (const s of sessions) claimed.add(s);
    const worktree = rt?.worktree;
    const leased = editing.leases.filter((l) => l.task === t.id || sessions.has(l.session)).map((l) => l.key);
    const edited = [
      ...editing.edits.filter((e) => sessions.has(e.session) || (worktree !== undefined && e.worktree === worktree)).map((e) => e.key),
      ...(worktree !== undefined ? editing.unleased.filter((u) => u.worktree === worktree).map((u) => u.key) : []),
    ];
    const branch = inputs.plannedOnly ? undefined : inputs.branches.get(t.id);
    const status: TaskStatus = rt?.state.status ?? 'queued';
    const model: MatrixParticipant = {
      id: t.id,
      kind: 'task',
      scope: t.scope,
      readOnly: t.readOnly,
      status,
      leased: sortedUnique(leased),
      edited: sortedUnique(edited),
      branch: branch ? sortedUnique(branch.files) : [],
    };
    out.push({
      model,
      view: {
        id: t.id,
        kind: 'task',
        title: t.title,
        ...(t.agent ? { agent: t.agent } : {}),
        status,
        readOnly: t.readOnly,
        phase: t.phase,
        scope: [...t.scope],
        dependsOn: [...t.dependsOn],
        ...(branch ? { branch: branch.branch, tip: branch.tip } : {}),
        ...(worktree ? { worktree } : {}),
        sessions: [...sessions].sort(),
        leased: model.leased!.length,
        edited: model.edited!.length,
        branchChanged: model.branch!.length,
      },
    });
  }

  if (inputs.plannedOnly) return out;
  // An ended session still counts while its edits sit uncommitted in its worktree: a dead agent's
  // half-done work conflicts with whoever edits the same files next.
  const uncommitted = new Set([...editing.unleased, ...(editing.endedWork ?? [])].map((u) => JSON.stringify([u.worktree, u.key])));
  const leftWork = (id: string) => editing.edits.some((e) => e.session === id && uncommitted.has(JSON.stringify([e.worktree, e.key])));
  const loose = editing.sessions
    .filter((s) => (s.live || leftWork(s.id)) && !claimed.has(s.id) && !(s.task !== undefined && taskIds.has(s.task)))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const s of loose) {
    const leased = sortedUnique(editing.leases.filter((l) => l.session === s.id).map((l) => l.key));
    // Neither files Lockstep itself wrote for the session (the plan, hook configuration) nor Lockstep's
    // own folder (the plan, which agents may not edit) are work a task could collide with.
    const edited = sortedUnique([
      ...editing.edits.filter((e) => e.session === s.id && !(e.tools.length === 1 && e.tools[0] === LOCKSTEP_WRITE_TOOL)).map((e) => e.key),
      ...editing.unleased.filter((u) => u.editedBy.includes(s.id)).map((u) => u.key),
    ]).filter((k) => !isLockstepFolderKey(k));
    if (leased.length === 0 && edited.length === 0) continue;
    out.push({
      model: { id: s.id, kind: 'session', leased, edited, readOnly: s.readOnly },
      view: {
        id: s.id,
        kind: 'session',
        title: s.live ? s.id : `${s.id} (ended, left uncommitted edits)`,
        agent: s.agent,
        readOnly: s.readOnly,
        scope: [],
        dependsOn: [],
        ...(s.worktree ? { worktree: s.worktree } : {}),
        sessions: [s.id],
        leased: leased.length,
        edited: edited.length,
        branchChanged: 0,
      },
    });
  }
  return out;
}

/** Tasks whose branches are merge-simulated: write tasks with a branch, not landed yet. */
export function mergeCandidates(plan: Plan | undefined, runtime: Readonly<Record<string, TaskRuntime>>): string[] {
  return (plan?.tasks ?? []).filter((t) => !t.readOnly && runtime[t.id]?.state.status !== 'landed').map((t) => t.id);
}
