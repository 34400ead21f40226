// The scheduler gate: which waiting tasks may start now, and for every other task why not, in words.
// A task may start when its phase is open (every task of an earlier phase is done), its dependencies
// are done, fewer than maxParallel tasks run, and (write tasks only) no running write task's scope
// overlaps its scope. Done means landed; a read-only task has nothing to land, so finished is done too.
// Read-only tasks skip the overlap rule but take a slot.
import type { ScopeIndex } from './globOverlap';
import type { Plan, TaskSpec } from './plan';
import { WAITING_STATUSES, type TaskStatus } from './task';

export interface GateRuntime {
  /** Status of each task; a task missing here is queued. */
  status: Readonly<Record<string, TaskStatus | undefined>>;
  /** Tasks that have landed (normally the tasks with status `landed`). */
  landed: ReadonlySet<string>;
  /** Tasks whose agents are at work (normally status `running`); each takes a slot. */
  running: ReadonlySet<string>;
}

/** Builds the runtime view from statuses alone: landed = status landed, running = status running. */
export function gateRuntime(status: Readonly<Record<string, TaskStatus | undefined>>): GateRuntime {
  const landed = new Set<string>();
  const running = new Set<string>();
  for (const [id, s] of Object.entries(status)) {
    if (s === 'landed') landed.add(id);
    else if (s === 'running') running.add(id);
  }
  return { status, landed, running };
}

export interface GateDecision {
  startable: boolean;
  /** Empty when startable; otherwise every reason the task waits, most fundamental first. */
  reasons: string[];
}

type PlanLike = Pick<Plan, 'tasks' | 'maxParallel'>;

function statusOf(rt: GateRuntime, id: string): TaskStatus {
  if (rt.landed.has(id)) return 'landed';
  if (rt.running.has(id)) return 'running';
  return rt.status[id] ?? 'queued';
}

/** Landed; or, for a read-only task (nothing to land), finished. Phases and dependants wait for this. */
function isDone(rt: GateRuntime, t: TaskSpec): boolean {
  return rt.landed.has(t.id) || (t.readOnly && statusOf(rt, t.id) === 'finished');
}

function list(ids: string[], max = 3): string {
  const shown = ids.slice(0, max).join(', ');
  return ids.length > max ? `${shown} and ${ids.length - max} more` : shown;
}

/** "phase 2", "phases 1–3" */
function phasesWord(phases: number[]): string {
  const sorted = [...new Set(phases)].sort((a, b) => a - b);
  if (sorted.length === 1) return `phase ${sorted[0]} has`;
  return `phases ${sorted.join(', ')} have`;
}

/** Why write task `task` cannot run beside write task `other`; undefined when their scopes do not overlap. */
export function overlapReason(task: TaskSpec, other: TaskSpec, index: ScopeIndex): string | undefined {
  if (task.readOnly || other.readOnly) return undefined;
  if (!index.overlaps(task.scope, other.scope)) return undefined;
  const same = task.scope.filter((g) => other.scope.includes(g));
  if (same.length > 0) return `waits for '${other.id}': both write ${list(same, 2)}`;
  const o = index.overlap(task.scope, other.scope, { limit: 1 });
  if (o.fileCount > 0) {
    const [ga, gb] = o.byGlobs[0];
    const n = o.fileCount === 1 ? '1 file' : `${o.fileCount} files`;
    return `waits for '${other.id}': its ${gb} overlaps ${ga} (${n}, e.g. ${o.files[0]})`;
  }
  const [ga, gb] = o.symbolic[0] ?? [task.scope[0], other.scope[0]];
  return `waits for '${other.id}': its ${gb} may overlap ${ga}`;
}

interface Context {
  plan: PlanLike;
  byId: Map<string, TaskSpec>;
  rt: GateRuntime;
  index: ScopeIndex;
  maxParallel: number;
}

/** Reasons task `t` may not start given `running` (ids taking a slot). Empty means startable. */
function waitReasons(ctx: Context, t: TaskSpec, running: ReadonlySet<string>): string[] {
  const { plan, byId, rt, index, maxParallel } = ctx;
  const reasons: string[] = [];
  const own = statusOf(rt, t.id);
  if (!WAITING_STATUSES.includes(own)) return [`is ${own}`];

  const blockers = plan.tasks.filter((o) => o.phase < t.phase && !isDone(rt, o));
  if (blockers.length > 0) {
    const detail = blockers.map((o) => `${o.id} is ${statusOf(rt, o.id)}`);
    reasons.push(`phase ${t.phase} opens when ${phasesWord(blockers.map((o) => o.phase))} landed (${list(detail)})`);
  }
  for (const dep of t.dependsOn) {
    const spec = byId.get(dep);
    if (spec ? isDone(rt, spec) : rt.landed.has(dep)) continue;
    reasons.push(byId.has(dep) ? `depends on '${dep}' (${statusOf(rt, dep)})` : `depends on '${dep}', which is not in the plan`);
  }
  if (!t.readOnly) {
    for (const id of running) {
      const other = byId.get(id);
      if (!other || other.id === t.id) continue;
      const why = overlapReason(t, other, index);
      if (why) reasons.push(why);
    }
  }
  if (running.size >= maxParallel) reasons.push(`${running.size} of ${maxParallel} slots in use`);
  return reasons;
}

function context(plan: PlanLike, rt: GateRuntime, index: ScopeIndex, maxParallel?: number): Context {
  const byId = new Map<string, TaskSpec>();
  for (const t of plan.tasks) if (!byId.has(t.id)) byId.set(t.id, t);
  return { plan, byId, rt, index, maxParallel: maxParallel ?? plan.maxParallel };
}

/** The gate's verdict for every task of the plan, by id. `maxParallel` defaults to the plan's. */
export function decide(plan: PlanLike, runtime: GateRuntime, scopeIndex: ScopeIndex, maxParallel?: number): Map<string, GateDecision> {
  const ctx = context(plan, runtime, scopeIndex, maxParallel);
  const out = new Map<string, GateDecision>();
  for (const t of plan.tasks) {
    const reasons = waitReasons(ctx, t, runtime.running);
    out.set(t.id, { startable: reasons.length === 0, reasons });
  }
  return out;
}

/**
 * Tasks to start now for auto-run, in plan order: each startable task is taken and counted as running
 * before the next is considered, so the picks respect the cap and never overlap each other.
 */
export function nextToStart(plan: PlanLike, runtime: GateRuntime, scopeIndex: ScopeIndex, maxParallel?: number): string[] {
  const ctx = context(plan, runtime, scopeIndex, maxParallel);
  const running = new Set(runtime.running);
  const picked: string[] = [];
  for (const t of plan.tasks) {
    if (running.size >= ctx.maxParallel) break;
    if (waitReasons(ctx, t, running).length === 0) {
      picked.push(t.id);
      running.add(t.id);
    }
  }
  return picked;
}
