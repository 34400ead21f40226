// `lockstep run`: executes the plan to completion without VS Code. Starts what the gate allows (up to
// the cap), lands each write task as soon as its agent finishes (so later phases and dependants open),
// and stops when nothing runs and nothing more can start. A failed or conflicted task stops its
// dependants (the gate keeps them waiting); the run then ends with a summary and ok=false. With the
// plan's landingQueue.enabled, finished tasks land through the landing queue instead: in batches, each
// verified once, a failing batch bisected to its culprits (scheduler/landingQueue.ts).
import type { TaskView } from '../protocol/schedulerMethods';
import type { Scheduler } from './scheduler';

export interface RunEvent {
  at: number;
  kind: 'started' | 'start-failed' | 'finished' | 'landed' | 'land-failed' | 'waiting' | 'retrying';
  task?: string;
  message: string;
}

export interface RunSummary {
  ok: boolean;
  /** Every task of the plan with its final status and, when not landed, why. */
  tasks: { id: string; status: string; reasons: string[]; branch?: string; worktree?: string; next?: string }[];
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
  /** Start the tasks that had failed before this run again (their branches and worktrees kept). */
  retryFailed?: boolean;
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

  // Only what had failed before this run: a task failing again during it is not retried in a loop.
  const retry = new Set(opts.retryFailed ? first.tasks.filter((t) => t.status === 'failed').map((t) => t.id) : []);
  for (const id of retry) emit('retrying', `retrying ${id} (${first.tasks.find((t) => t.id === id)!.reasons.join('; ')})`, id);

  for (;;) {
    if (opts.signal?.aborted) break;
    let progressed = false;
    const state = await scheduler.list();
    if (!state.plan.valid) break;

    const queue = await scheduler.landingQueue();
    if (queue.enabled) {
      // The landing queue lands what waits, batch after batch; held tasks wait for their dependencies.
      for (const t of state.tasks) {
        if (t.status === 'finished' && !t.readOnly && !landRefused.has(t.id) && !seenFinished.has(t.id)) {
          seenFinished.add(t.id);
          emit('finished', `${t.id} finished`, t.id);
        }
      }
      const waiting = queue.entries.filter((e) => e.state === 'waiting' && !landRefused.has(e.id)).map((e) => e.id);
      if (waiting.length > 0 && queue.paused) {
        for (const id of waiting) landRefused.set(id, 'the landing queue is paused (lockstep queue resume)');
        emit('land-failed', `the landing queue is paused: ${waiting.join(', ')} not landed (lockstep queue resume)`);
      } else if (waiting.length > 0) {
        try {
          await scheduler.runLandingQueue({
            onBatch: ({ ids, result: r }) => {
              for (const id of r.landed) emit('landed', `${id} landed in a batch: ${r.message}`, id);
              for (const c of r.culprits ?? []) emit('land-failed', `${c.task}: ${r.message}`, c.task);
              if (r.landed.length === 0 && (r.culprits ?? []).length === 0) {
                for (const id of ids) landRefused.set(id, r.message);
                emit('land-failed', r.message);
              }
            },
          });
        } catch (e) {
          for (const id of waiting) landRefused.set(id, (e as Error).message);
          emit('land-failed', (e as Error).message);
        }
        progressed = true;
      }
    }
    // Land what finished, one task at a time in plan order, so one failure does not hold the others
    // (with the queue: only read-only tasks, which merge nothing).
    for (const t of queue.enabled ? state.tasks.filter((x) => x.readOnly) : state.tasks) {
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

    const tick = await scheduler.tick({ force: true, retry: [...retry] });
    for (const s of tick.started) emit('started', `${s.task.id} started${s.task.worktree ? ` in ${s.task.worktree}` : ''}${s.pid ? ` (pid ${s.pid})` : ''}`, s.task.id);
    for (const f of tick.failed) emit('start-failed', f.error, f.id);
    for (const id of [...tick.started.map((s) => s.task.id), ...tick.failed.map((f) => f.id)]) retry.delete(id);
    if (tick.started.length > 0 || tick.failed.length > 0) continue;

    const after = await scheduler.list();
    const runningHere = scheduler.runningHere.length;
    const runningElsewhere = after.tasks.filter((t) => t.status === 'running' && !scheduler.runningHere.includes(t.id));
    const landing = after.tasks.some((t) => t.status === 'landing');
    if (runningHere === 0 && runningElsewhere.length === 0 && !landing) {
      if (queue.enabled) {
        // Nothing runs: a task still held waits for a dependency that will not land in this run.
        const q = await scheduler.landingQueue();
        for (const e of q.entries) if (e.state === 'held' && !landRefused.has(e.id)) landRefused.set(e.id, e.reason ?? 'held in the landing queue');
        if (!q.entries.some((e) => e.state === 'waiting' && !landRefused.has(e.id))) break;
        continue;
      }
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
  return summarize(tasks, events, final.plan.valid ? [] : final.plan.issues.map((i) => i.text), final.plan.target ?? 'main');
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

/** What a person does next about a task the run left failed, conflicted or finished-but-not-landed. */
export function nextStep(t: Pick<TaskView, 'id' | 'status' | 'state' | 'worktree' | 'branch' | 'logFile' | 'readOnly'>, target: string): string | undefined {
  const branch = t.branch ?? `lockstep/${t.id}`;
  const where = t.worktree ? ` in ${t.worktree}` : '';
  if (t.state.status === 'conflicted') return `merge ${target} into ${branch}${where}, resolve ${t.state.paths.slice(0, 3).join(', ')}, commit, then lockstep land ${t.id}`;
  if (t.state.status === 'failed') {
    if (t.state.reason.startsWith('verify failed')) return `see lockstep check-output ${t.id}, fix it on ${branch}${where}, commit, then lockstep land ${t.id}`;
    if (t.state.reason.startsWith('abandoned')) return undefined;
    return `see its log ${t.logFile}; then lockstep run --retry-failed (or lockstep task start ${t.id}) to run its agent again${t.worktree ? ' in the same worktree' : ''}, or lockstep task abandon ${t.id}`;
  }
  if (t.status === 'finished' && !t.readOnly) return `lockstep land ${t.id} once the reason above is dealt with`;
  return undefined;
}

function summarize(tasks: TaskView[], events: RunEvent[], issues: string[], target: string): RunSummary {
  const landed = tasks.filter((t) => t.status === 'landed').map((t) => t.id);
  const notLanded = tasks.filter((t) => t.status !== 'landed').map((t) => t.id);
  return {
    ok: issues.length === 0 && notLanded.length === 0,
    tasks: tasks.map((t) => {
      const next = nextStep(t, target);
      return {
        id: t.id,
        status: t.status,
        reasons: t.reasons,
        ...(t.branch ? { branch: t.branch } : {}),
        ...(t.worktree ? { worktree: t.worktree } : {}),
        ...(next ? { next } : {}),
      };
    }),
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
    if (t.next) lines.push(`      next: ${t.next}`);
  }
  return lines.join('\n');
}
