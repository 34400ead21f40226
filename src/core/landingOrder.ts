// In which order a set of tasks lands: dependencies first, otherwise plan order. A set that needs a
// task which has neither landed nor is part of the set is refused, naming what is missing.
import type { TaskSpec } from './plan';

export class LandingOrderError extends Error {
  override readonly name = 'LandingOrderError';
}

type PlanLike = { tasks: readonly Pick<TaskSpec, 'id' | 'dependsOn'>[] };

/** The ids of `ids` in landing order; throws LandingOrderError on unknown ids, duplicates or missing dependencies. */
export function landingOrder(plan: PlanLike, ids: readonly string[], landed: ReadonlySet<string>): string[] {
  const position = new Map(plan.tasks.map((t, i) => [t.id, i] as const));
  const wanted = new Set<string>();
  for (const id of ids) {
    if (!position.has(id)) throw new LandingOrderError(`cannot land '${id}': no such task in the plan`);
    if (wanted.has(id)) throw new LandingOrderError(`'${id}' is listed twice`);
    if (landed.has(id)) throw new LandingOrderError(`'${id}' has already landed`);
    wanted.add(id);
  }
  const missing: string[] = [];
  for (const id of ids) {
    for (const dep of plan.tasks[position.get(id)!].dependsOn) {
      if (!wanted.has(dep) && !landed.has(dep)) missing.push(`'${id}' needs '${dep}'`);
    }
  }
  if (missing.length > 0) {
    throw new LandingOrderError(`cannot land without dependencies that have not landed: ${missing.join(', ')}; add them to this landing or land them first`);
  }
  const pending = [...wanted].sort((a, b) => position.get(a)! - position.get(b)!);
  const placed = new Set<string>();
  const out: string[] = [];
  while (pending.length > 0) {
    const k = pending.findIndex((id) => plan.tasks[position.get(id)!].dependsOn.every((d) => !wanted.has(d) || placed.has(d) || d === id));
    if (k < 0) throw new LandingOrderError(`dependency cycle among ${pending.map((p) => `'${p}'`).join(', ')}`);
    const [id] = pending.splice(k, 1);
    placed.add(id);
    out.push(id);
  }
  return out;
}
