// A task at run time: its status and the legal moves between statuses. The plan says what a task is;
// this says where it stands. Illegal moves are refused with a sentence, never silently applied.
import * as z from './zod';
import { ProcessIdentity } from './processIdentity';

export const TASK_STATUSES = ['queued', 'ready', 'running', 'finished', 'landing', 'landed', 'blocked', 'conflicted', 'failed'] as const;
export const TaskStatus = z.enum(TASK_STATUSES);
export type TaskStatus = z.infer<typeof TaskStatus>;

/** Status with its detail: why a task is blocked or failed, which paths conflict. */
export const TaskState = z.discriminatedUnion('status', [
  z.object({ status: z.literal('queued') }),
  z.object({ status: z.literal('ready') }),
  z.object({ status: z.literal('running') }),
  z.object({ status: z.literal('finished') }),
  z.object({ status: z.literal('landing') }),
  z.object({ status: z.literal('landed') }),
  z.object({ status: z.literal('blocked'), reason: z.string().check(z.minLength(1)) }),
  z.object({ status: z.literal('conflicted'), paths: z.array(z.string()).check(z.minLength(1)) }),
  z.object({ status: z.literal('failed'), reason: z.string().check(z.minLength(1)) }),
]);
export type TaskState = z.infer<typeof TaskState>;

/** What the store keeps per task besides the plan's definition. */
export const TaskRuntime = z.object({
  id: z.string(),
  state: TaskState,
  /** `lockstep/<id>` once a worktree exists (write tasks only). */
  branch: z.optional(z.string()),
  /** Absolute path of the task's worktree (write tasks only). */
  worktree: z.optional(z.string()),
  /** Sessions working for the task. */
  sessions: z._default(z.array(z.string()), () => []),
  startedAt: z.optional(z.number()),
  finishedAt: z.optional(z.number()),
  landedAt: z.optional(z.number()),
  /** Commit the target pointed at before this task landed (for undo). */
  landedOver: z.optional(z.string()),
  /** The commit this task's landing made on the target, and the branch it came from (for the phase report). */
  landedCommit: z.optional(z.string()),
  landedBranch: z.optional(z.string()),
  /**
   * The sessions that added or started this task through the fan-out (lockstep task add, MCP task_add
   * and task_start): its lead, told at the phase boundary; and the phase it was added to.
   */
  lead: z.optional(z.object({ sessions: z.array(z.string()), phase: z.int().check(z.positive()) })),
  /** The process waiting for the task's agent to record how it ends (headless launches). */
  supervisor: z.optional(ProcessIdentity),
});
export type TaskRuntime = z.infer<typeof TaskRuntime>;

/**
 * Legal moves. Why each exists:
 * - queued ⇄ ready: the gate opens (ready) or closes again because another task started (queued);
 *   queued → running is allowed because starting is gated by `decide`, not by this table.
 * - running → queued: stopped by the user; its branch and worktree are kept.
 * - finished → running: reopened for more work; finished → conflicted: a merge simulation found conflicts.
 * - finished → landed: only for read-only tasks, which have nothing to merge (see `transition`).
 * - landing → finished: the landing was abandoned or rolled back because another task in it failed.
 * - landed → finished: the landing was undone.
 * - queued/ready → landing: work done by hand on `lockstep/<id>` lands without a scheduler start.
 * - blocked/conflicted/failed → queued/running: retried after the cause was fixed.
 */
export const TRANSITIONS: Readonly<Record<TaskStatus, readonly TaskStatus[]>> = {
  queued: ['ready', 'running', 'blocked', 'failed', 'landing'],
  ready: ['queued', 'running', 'blocked', 'failed', 'landing'],
  running: ['finished', 'failed', 'blocked', 'conflicted', 'queued'],
  finished: ['landing', 'landed', 'running', 'conflicted', 'failed', 'queued'],
  landing: ['landed', 'finished', 'conflicted', 'failed'],
  landed: ['finished'],
  blocked: ['queued', 'ready', 'running', 'failed'],
  conflicted: ['running', 'finished', 'queued', 'failed'],
  failed: ['queued', 'running', 'finished'],
};

export function canTransition(from: TaskStatus, to: TaskStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export class TaskTransitionError extends Error {
  override readonly name = 'TaskTransitionError';
}

/** One-line description of a state for humans: `blocked (waiting for review)`, `conflicted (src/a.ts, src/b.ts)`. */
export function describeState(s: TaskState): string {
  switch (s.status) {
    case 'blocked':
    case 'failed':
      return `${s.status} (${s.reason})`;
    case 'conflicted':
      return `conflicted (${s.paths.slice(0, 3).join(', ')}${s.paths.length > 3 ? `, +${s.paths.length - 3} more` : ''})`;
    default:
      return s.status;
  }
}

/**
 * Returns `next` if moving task `id` from `current` to `next` is legal; throws TaskTransitionError otherwise.
 * `readOnly` tasks may go from finished straight to landed (nothing to merge); write tasks land through `landing`.
 */
export function transition(id: string, current: TaskState, next: TaskState, opts: { readOnly?: boolean } = {}): TaskState {
  const parsed = TaskState.safeParse(next);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new TaskTransitionError(`task '${id}': invalid new state: ${i.path.join('.') || 'status'}: ${i.message}`);
  }
  const from = current.status;
  const to = next.status;
  if (from === to) throw new TaskTransitionError(`task '${id}' is already ${from}`);
  if (!canTransition(from, to)) {
    const allowed = TRANSITIONS[from];
    throw new TaskTransitionError(`task '${id}' cannot go from ${from} to ${to}; from ${from} it can go to ${allowed.join(', ')}`);
  }
  if (from === 'finished' && to === 'landed' && !opts.readOnly) {
    throw new TaskTransitionError(`task '${id}' cannot go from finished to landed directly; a write task lands through landing`);
  }
  return parsed.data;
}

/** Tasks in these states are waiting to start; `decide` may mark them startable. */
export const WAITING_STATUSES: readonly TaskStatus[] = ['queued', 'ready'];
/** Tasks in these states hold a slot of `maxParallel` (an agent is at work). */
export const SLOT_STATUSES: readonly TaskStatus[] = ['running'];
