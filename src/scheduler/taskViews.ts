// How the scheduler shows its tasks: each task of the plan with its status (queued or ready while it
// waits, as the gate decides), the reasons it waits or stopped, its branch, worktree, sessions and pid.
import type { decide } from '../core/gate';
import type { LeaseTableState } from '../core/model';
import { ownRecord } from '../core/ownRecord';
import type { Plan } from '../core/plan';
import { WAITING_STATUSES, type TaskRuntime, type TaskState, type TaskStatus } from '../core/task';
import type { TaskView } from '../protocol/schedulerMethods';
import { agentKeyOf } from './agentTemplates';

/** Each plan task's stored status (undefined: never started), as the gate reads them. */
export function statusMap(plan: Plan, state: LeaseTableState): Record<string, TaskStatus | undefined> {
  const out: Record<string, TaskStatus | undefined> = ownRecord();
  for (const t of plan.tasks) out[t.id] = state.tasks[t.id]?.state.status;
  return out;
}

export interface ViewSources {
  /** The pid of the agent this scheduler launched for the task, if it runs. */
  pidOf: (id: string) => number | undefined;
  logFile: (id: string) => string;
}

export function viewsOf(plan: Plan, state: LeaseTableState, decisions: ReturnType<typeof decide>, src: ViewSources): TaskView[] {
  return plan.tasks.map((t) => {
    const rt = state.tasks[t.id];
    const st: TaskState = rt?.state ?? { status: 'queued' };
    const d = decisions.get(t.id) ?? { startable: false, reasons: [] };
    const waiting = WAITING_STATUSES.includes(st.status);
    const status: TaskStatus = waiting ? (d.startable ? 'ready' : 'queued') : st.status;
    const reasons = waiting ? d.reasons : stoppedReasons(st);
    let pid: number | undefined;
    if (st.status === 'running') {
      pid = src.pidOf(t.id);
      for (const s of rt?.sessions ?? []) pid ??= state.sessions[s]?.process?.pid;
    }
    return {
      id: t.id,
      title: t.title,
      agent: agentKeyOf(t),
      phase: t.phase,
      readOnly: t.readOnly,
      scope: t.scope,
      dependsOn: t.dependsOn,
      status,
      state: st,
      startable: waiting && d.startable,
      reasons,
      ...(rt?.branch ? { branch: rt.branch } : {}),
      ...(rt?.worktree ? { worktree: rt.worktree } : {}),
      sessions: rt?.sessions ?? [],
      ...(pid !== undefined ? { pid } : {}),
      logFile: src.logFile(t.id),
      ...(rt?.startedAt !== undefined ? { startedAt: rt.startedAt } : {}),
      ...(rt?.finishedAt !== undefined ? { finishedAt: rt.finishedAt } : {}),
      ...(rt?.landedAt !== undefined ? { landedAt: rt.landedAt } : {}),
    };
  });
}

/** A task not (or no longer) in the plan: what the store knows. */
export function unplannedView(id: string, rt: TaskRuntime | undefined, logFile: string): TaskView {
  const st: TaskState = rt?.state ?? { status: 'queued' };
  return {
    id,
    title: id,
    agent: '',
    phase: 0,
    readOnly: false,
    scope: [],
    dependsOn: [],
    status: st.status,
    state: st,
    startable: false,
    reasons: ['not in the plan'],
    ...(rt?.branch ? { branch: rt.branch } : {}),
    ...(rt?.worktree ? { worktree: rt.worktree } : {}),
    sessions: rt?.sessions ?? [],
    logFile,
  };
}

/** Why a task that is not waiting does not go on by itself (failed, blocked, conflicted). */
function stoppedReasons(st: TaskState): string[] {
  if (st.status === 'failed' || st.status === 'blocked') return [st.reason];
  if (st.status === 'conflicted') return [`conflicts with the target in ${st.paths.slice(0, 5).join(', ')}${st.paths.length > 5 ? ` and ${st.paths.length - 5} more` : ''}`];
  return [];
}
