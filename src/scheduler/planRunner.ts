// `lockstep run`: executes the plan to completion without VS Code. Starts what the gate allows (up to
// the cap), lands each write task as soon as its agent finishes (so later phases and dependants open),
// and stops when nothing runs and nothing more can start. A failed or conflicted task stops its
// dependants (the gate keeps them waiting); the run then ends with a summary and ok=false.
import type { TaskView } from '../protocol/schedulerMethods';
import type { Scheduler } from './scheduler';

export interface RunEvent {
  at: number;
  kind: 'started' | 'start-failed' | 'finished' | 'landed' | 'land-failed' | 'waiting';
  task?: string;
  message: string;
}

export interface RunSummary {
  ok: boolean;
  /** Every task of the plan with its final status and, when not landed, why. */
  tasks: { id: string; status: string; reasons: string[]; branch?: string; worktree?: string }[];
  landed: string[];
  notLanded: string[];
  /** Plan problems (the run started nothing). */
  issues: string[];
  events: RunEvent[];
}

export interface RunOptions {
  onEvent?: (e: RunEvent) => void;
  /** Aborting stops every agent this run started (their tasks go back to queued). */
  signal?: AbortSignal;
  /** How often to look at tasks running outside this run (started by VS Code or another CLI). */
  pollMs?: number;
}

export async function runPlan(scheduler: Scheduler, opts: RunOptions = {}): Promise<RunSummary> {
  const events: RunEvent[] = [];
  const emit = (kind: RunEvent['kind'], message: string, task?: string) => {
    const e: RunEvent = { at: Date.now(), kind, message, ...(task ? { task } : {}) };
    events.push(e);
    opts.onEvent?.(e);
  };
  /** Tasks whose landing was refused (not their fault: e.g. a dirty target checkout), with why. */
  const landRefused = new Map<string, string>();
  const seenFinished = new Set<string>();
  let waitingNoted = '';

  const first = await scheduler.list();
  if (!first.plan.valid) {
    return { ok: false, tasks: [], landed: [], notLanded: [], issues: first.plan.issues.map((i) => i.text), events };
  }

  for (;;) {
    if (opts.signal?.aborted) break;
    let progressed = false;
    const state = await scheduler.list();
    if (!state.plan.valid) break;

    // Land what finished, one task at a time in plan order, so one failure does not hold the others.
    for (const t of state.tasks) {
      if (t.status !== 'finished' || landRefused.has(t.id)) continue;
      if (!seenFinished.has(t.id)) {
        seenFinished.add(t.id);
        emit('finished', `${t.id} finished`, t.id);
      }
      try {
        const r = await scheduler.land([t.id]);
        if (r.ok) emit('landed', r.message + (r.kept.length ? `; kept ${r.kept.map((k) => `${k.kind} ${k.name} (${k.why})`).join(', ')}` : ''), t.id);
        else emit('land-failed', r.message, t.id);
        if (!r.ok && !r.culprit) landRefused.set(t.id, r.message);
      } catch (e) {
        landRefused.set(t.id, (e as Error).message);
        emit('land-failed', (e as Error).message, t.id);
      }
      progressed = true;
    }
    for (const t of state.tasks) {
      if (t.status === 'landed' && t.readOnly && !seenFinished.has(t.id)) {
        seenFinished.add(t.id);
        emit('landed', `${t.id} finished (read-only: nothing to merge)`, t.id);
      }
    }
    if (progressed) continue;

    const tick = await scheduler.tick({ force: true });
    for (const s of tick.started) emit('started', `${s.task.id} started${s.task.worktree ? ` in ${s.task.worktree}` : ''}${s.pid ? ` (pid ${s.pid})` : ''}`, s.task.id);
    for (const f of tick.failed) emit('start-failed', f.error, f.id);
    if (tick.started.length > 0 || tick.failed.length > 0) continue;

    const after = await scheduler.list();
    const runningHere = scheduler.runningHere.length;
    const runningElsewhere = after.tasks.filter((t) => t.status === 'running' && !scheduler.runningHere.includes(t.id));
    const landing = after.tasks.some((t) => t.status === 'landing');
    if (runningHere === 0 && runningElsewhere.length === 0 && !landing) {
      if (!after.tasks.some((t) => t.status === 'finished' && !landRefused.has(t.id))) break;
      continue;
    }
    if (runningHere === 0) {
      const note = runningElsewhere.map((t) => t.id).join(', ');
      if (note !== waitingNoted) emit('waiting', `waiting for ${note}, running outside this run`);
      waitingNoted = note;
    }
    await waitOrAbort(scheduler.waitForChange(runningHere > 0 ? 5_000 : opts.pollMs ?? 1_000), opts.signal);
  }

  if (opts.signal?.aborted) await scheduler.stopAll();
  const final = await scheduler.list();
  const tasks = final.tasks.map((t) => (landRefused.has(t.id) && t.status === 'finished' ? { ...t, reasons: [`not landed: ${landRefused.get(t.id)}`] } : t));
  return summarize(tasks, events, final.plan.valid ? [] : final.plan.issues.map((i) => i.text));
}

/** Resolves when `p` does or `signal` aborts; the abort listener goes when the wait ends (a run waits thousands of times). */
export function waitOrAbort(p: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return p;
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const onAbort = () => resolve();
    signal.addEventListener('abort', onAbort, { once: true });
    void p.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}

function summarize(tasks: TaskView[], events: RunEvent[], issues: string[]): RunSummary {
  const landed = tasks.filter((t) => t.status === 'landed').map((t) => t.id);
  const notLanded = tasks.filter((t) => t.status !== 'landed').map((t) => t.id);
  return {
    ok: issues.length === 0 && notLanded.length === 0,
    tasks: tasks.map((t) => ({
      id: t.id,
      status: t.status,
      reasons: t.reasons,
      ...(t.branch ? { branch: t.branch } : {}),
      ...(t.worktree ? { worktree: t.worktree } : {}),
    })),
    landed,
    notLanded,
    issues,
    events,
  };
}

/** The summary as lines for a terminal. */
export function formatRunSummary(s: RunSummary): string {
  if (s.issues.length > 0) return ['the plan is invalid; nothing was started:', ...s.issues.map((i) => `  ${i}`)].join('\n');
  const lines = [s.ok ? `all ${s.landed.length} tasks landed` : `${s.landed.length} of ${s.tasks.length} tasks landed`];
  for (const t of s.tasks) {
    const detail = t.status === 'landed' ? '' : t.reasons.length ? ` — ${t.reasons.join('; ')}` : '';
    const where = t.status !== 'landed' && t.worktree ? ` (worktree ${t.worktree})` : '';
    lines.push(`  ${t.id}: ${t.status}${detail}${where}`);
  }
  return lines.join('\n');
}
