// Lead fan-out through the scheduler: add a task to the plan and ask to start it; the gate answers
// "started" (worktree, branch) or "queued" with its reasons. Shared by `lockstep task add` and the
// MCP tools task_add / task_start.
import { TaskSpec, type TaskSpecInput } from '../core/plan';
import { addTask } from '../core/planFile';
import { SchedulerError, type Scheduler } from '../scheduler/scheduler';

export type StartAnswer =
  | { status: 'started'; worktree?: string; branch?: string; pid?: number; notes: string[] }
  | { status: 'queued'; reason: string; reasons: string[] };

/**
 * Starts `id` now when the gate allows it; otherwise says why it stays queued (nothing changed).
 * `lead`: the session asking, told when the task's phase is done (Scheduler.recordLead).
 */
export async function startOrQueue(scheduler: Scheduler, id: string, lead?: string): Promise<StartAnswer> {
  if (lead) scheduler.recordLead(id, lead);
  try {
    const r = await scheduler.start(id);
    return { status: 'started', worktree: r.task.worktree, branch: r.task.branch, pid: r.pid, notes: r.notes };
  } catch (e) {
    if (e instanceof SchedulerError && e.details.reasons) return { status: 'queued', reason: e.details.reasons.join('; '), reasons: e.details.reasons };
    throw e;
  }
}

/** Adds the task to the plan file (refused, one line, when it or the resulting plan is invalid); `lead` as in startOrQueue. */
export function addPlanTask(scheduler: Scheduler, spec: TaskSpecInput, lead?: string): void {
  const parsed = TaskSpec.safeParse(spec);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new SchedulerError(`task ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  scheduler.editPlan((text) => addTask(text, spec));
  if (lead) scheduler.recordLead(spec.id, lead);
}

export function describeAnswer(id: string, a: StartAnswer): string {
  return a.status === 'started' ? `started ${id}${a.worktree ? ` in ${a.worktree}` : ''}${a.branch ? ` on ${a.branch}` : ''}` : `queued: ${a.reason}`;
}
