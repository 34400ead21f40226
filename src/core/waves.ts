// Suggested waves: groups of tasks that can run side by side without planned overlap, where each
// task comes in a later wave than everything it depends on. Greedy colouring of the planned-overlap
// graph in dependency order (ties: plan order), so the same plan always gives the same waves.
import type { ScopeIndex } from './globOverlap';
import { findCycles, type TaskSpec } from './plan';
import { DEFAULT_PLAN_FILE, PlanError, parsePlan, setPhases, type EditOptions } from './planFile';

export type WaveTask = Pick<TaskSpec, 'id' | 'scope' | 'readOnly' | 'dependsOn'>;

export interface WaveOptions {
  /** At most this many tasks per wave (e.g. the plan's maxParallel); default unlimited. */
  maxPerWave?: number;
}

/** Tasks in dependency order; among tasks whose dependencies are placed, plan order first. */
export function dependencyOrder<T extends Pick<TaskSpec, 'id' | 'dependsOn'>>(tasks: readonly T[]): T[] {
  const cycles = findCycles(tasks);
  if (cycles.length > 0) throw new Error(`dependency cycle: ${[...cycles[0], cycles[0][0]].join(' → ')}`);
  const ids = new Set(tasks.map((t) => t.id));
  const placed = new Set<string>();
  const out: T[] = [];
  const pending = [...tasks];
  while (pending.length > 0) {
    const k = pending.findIndex((t) => t.dependsOn.every((d) => placed.has(d) || !ids.has(d) || d === t.id));
    const [t] = pending.splice(k, 1);
    placed.add(t.id);
    out.push(t);
  }
  return out;
}

/**
 * Waves as lists of task ids (wave 0 first). A write task never shares a wave with a write task whose
 * scope overlaps its own (tracked files or patterns); read-only tasks only follow their dependencies.
 */
export function suggestWaves(tasks: readonly WaveTask[], index: ScopeIndex, opts: WaveOptions = {}): string[][] {
  const max = opts.maxPerWave ?? Infinity;
  if (max < 1) throw new Error('maxPerWave must be 1 or more');
  const waveOf = new Map<string, number>();
  const waves: WaveTask[][] = [];
  for (const t of dependencyOrder(tasks)) {
    let w = 0;
    for (const d of t.dependsOn) {
      const dw = waveOf.get(d);
      if (dw !== undefined && d !== t.id) w = Math.max(w, dw + 1);
    }
    for (; ; w++) {
      const members = waves[w] ?? [];
      if (members.length >= max) continue;
      if (!t.readOnly && members.some((m) => !m.readOnly && index.overlaps(t.scope, m.scope))) continue;
      break;
    }
    (waves[w] ??= []).push(t);
    waveOf.set(t.id, w);
  }
  // Within a wave, list tasks in plan order.
  const planOrder = new Map(tasks.map((t, i) => [t.id, i] as const));
  return waves.map((ws) => ws.map((t) => t.id).sort((x, y) => planOrder.get(x)! - planOrder.get(y)!));
}

/**
 * Writes waves into the plan as phases (wave i → phase i+1), keeping the rest of the file.
 * Every task must appear in exactly one wave. Throws (PlanError for an invalid result) and changes nothing otherwise.
 */
export function applyWavesAsPhases(planText: string, waves: readonly (readonly string[])[], opts: EditOptions = {}): string {
  const phases = new Map<string, number>();
  waves.forEach((wave, i) => {
    for (const id of wave) {
      if (phases.has(id)) throw new PlanError([{ file: opts.file ?? DEFAULT_PLAN_FILE, line: 0, field: 'waves', message: `task '${id}' is in wave ${phases.get(id)} and wave ${i + 1}` }]);
      phases.set(id, i + 1);
    }
  });
  const file = opts.file ?? DEFAULT_PLAN_FILE;
  const plan = parsePlan(planText, { file });
  const unknown = [...phases.keys()].filter((id) => !plan.tasks.some((t) => t.id === id));
  const left = plan.tasks.filter((t) => !phases.has(t.id)).map((t) => t.id);
  if (unknown.length > 0 || left.length > 0) {
    const parts = [
      unknown.length > 0 ? `unknown task${unknown.length > 1 ? 's' : ''} ${unknown.map((x) => `'${x}'`).join(', ')}` : '',
      left.length > 0 ? `not in any wave: ${left.map((x) => `'${x}'`).join(', ')}` : '',
    ].filter(Boolean);
    throw new PlanError([{ file, line: 0, field: 'waves', message: parts.join('; ') }]);
  }
  return setPhases(planText, phases, opts);
}
