// `lockstep doctor`'s check of running tasks: a task marked running whose agent has ended without any
// scheduler hearing it (a `task start` whose CLI has exited, a coordinator that is not running) holds
// a slot and keeps `lockstep run` waiting. Doctor names each; unless --check-only it settles them as any
// scheduler command would (finished only after a recorded clean exit, failed otherwise).
import { describeState } from '../../core/task';
import { openScheduler } from './task';

export interface RunningTasksCheck {
  ok: boolean;
  /** Tasks whose agent ended unheard, with what they become (or became). */
  ended: { id: string; state: string; why: string }[];
  settled: boolean;
  /** Why the check could not run (no plan is fine: tasks are in the store). */
  skipped?: string;
}

export async function checkRunningTasks(opts: { repair: boolean }): Promise<RunningTasksCheck> {
  try {
    const scheduler = openScheduler();
    const ended = scheduler.endedUnheard().map((e) => ({ id: e.id, state: describeState(e.next), why: e.why }));
    if (ended.length === 0 || !opts.repair) return { ok: ended.length === 0, ended, settled: false };
    scheduler.reconcile();
    return { ok: true, ended, settled: true };
  } catch (e) {
    return { ok: true, ended: [], settled: false, skipped: (e as Error).message.split('\n')[0] };
  }
}

export function runningTaskLines(c: RunningTasksCheck): string[] {
  if (c.skipped) return [`  ok       running tasks: not checked: ${c.skipped}`];
  if (c.ended.length === 0) return ['  ok       running tasks: every agent is at work'];
  if (!c.settled) return [`  PROBLEM  running tasks: ${c.ended.map((e) => `${e.id}: ${e.why}`).join('; ')}`];
  return [`  ok       running tasks: ${c.ended.length} ended unheard`, ...c.ended.map((e) => `             -> ${e.id}: ${e.state}`)];
}
