// The report a lead gets at a phase boundary: when every task of a phase (and of the phases before
// it) is done, the sessions that added or started the phase's tasks through Lockstep (lockstep task
// add, MCP task_add / task_start) hear which tasks landed (commit, branch), which of theirs failed or
// were abandoned and left the plan, and the decisions logged during the phase. Pure: the scheduler
// (scheduler/phaseReports.ts) finds the boundaries and sends it.
import { MAX_ITEM_BYTES, noteLine, type Note } from './memory';
import type { Plan } from './plan';
import type { TaskRuntime } from './task';

/** Bytes of the report given to the phase's decisions (the rest: the tasks and the headline). */
const NOTES_BUDGET = 1800;

export interface PhaseBoundary {
  phase: number;
  /** The phase's tasks in the plan, all done. */
  tasks: string[];
  /** Tasks a lead added to this phase that failed or were abandoned and are no longer in the plan. */
  dropped: string[];
  /** The sessions to tell: every lead of the phase's tasks. */
  leads: string[];
  /** When the phase opened (the last landing of the phase before it; else its first start). */
  openedAt: number;
  /** The next phase, when there is one. */
  next?: { phase: number; tasks: string[] };
  /** Changes when the outcome changes (a landing undone and landed again): the report is sent once per key. */
  key: string;
}

/** Done for the gate: landed, or finished when read-only (core/gate.ts). */
function isDone(plan: Pick<Plan, 'tasks'>, rt: TaskRuntime | undefined, id: string): boolean {
  if (!rt) return false;
  return rt.state.status === 'landed' || (rt.state.status === 'finished' && plan.tasks.find((t) => t.id === id)?.readOnly === true);
}

/** Every phase whose tasks, and those of every earlier phase, are all done, and some of whose tasks have a lead. */
export function phaseBoundaries(plan: Pick<Plan, 'tasks'>, tasks: Readonly<Record<string, TaskRuntime>>): PhaseBoundary[] {
  const phases = [...new Set(plan.tasks.map((t) => t.phase))].sort((a, b) => a - b);
  const inPlan = new Set(plan.tasks.map((t) => t.id));
  const out: PhaseBoundary[] = [];
  let previousLanded = 0;
  for (const [i, phase] of phases.entries()) {
    const ids = plan.tasks.filter((t) => t.phase === phase).map((t) => t.id);
    if (!ids.every((id) => isDone(plan, tasks[id], id))) break;
    const dropped = Object.values(tasks)
      .filter((rt) => !inPlan.has(rt.id) && rt.lead?.phase === phase && rt.state.status === 'failed')
      .map((rt) => rt.id);
    const leads = [...new Set([...ids, ...dropped].flatMap((id) => tasks[id]?.lead?.sessions ?? []))].sort();
    const times = ids.map((id) => tasks[id]!);
    const opened = previousLanded || Math.min(...times.map((rt) => rt.startedAt ?? rt.landedAt ?? Date.now()));
    previousLanded = Math.max(previousLanded, ...times.map((rt) => rt.landedAt ?? 0));
    if (leads.length === 0) continue;
    const nextPhase = phases[i + 1];
    out.push({
      phase,
      tasks: ids,
      dropped,
      leads,
      openedAt: opened,
      ...(nextPhase !== undefined ? { next: { phase: nextPhase, tasks: plan.tasks.filter((t) => t.phase === nextPhase).map((t) => t.id) } } : {}),
      key: `phase:${phase}:${ids.map((id) => `${id}@${tasks[id]!.landedCommit ?? tasks[id]!.landedAt ?? ''}`).sort().join(',')}`,
    });
  }
  return out;
}

/** The report's text, within one message (MAX_ITEM_BYTES): the phase's notes are capped, the rest named by `lockstep log --since`. */
export function phaseReportText(b: PhaseBoundary, tasks: Readonly<Record<string, TaskRuntime>>, notes: readonly Note[], target: string): string {
  const head = `Lockstep: phase ${b.phase} is done (every task landed on ${target}); ${b.next ? `phase ${b.next.phase} opens (${list(b.next.tasks)})` : 'that was the last phase of the plan'}.`;
  const landed = b.tasks.map((id) => {
    const rt = tasks[id]!;
    if (rt.landedCommit) return `- ${id}: landed as ${rt.landedCommit.slice(0, 12)}${rt.landedBranch ? ` from ${rt.landedBranch}` : ''}`;
    return `- ${id}: done (read-only: nothing to merge)`;
  });
  const dropped = b.dropped.map((id) => {
    const st = tasks[id]!.state;
    return `- ${id}: ${st.status === 'failed' ? st.reason : st.status}`;
  });
  const noteLines: string[] = [];
  let used = 0;
  let shown = 0;
  for (const n of notes) {
    const line = `- ${noteLine(n)}`;
    if (used + Buffer.byteLength(line) + 1 > NOTES_BUDGET && shown > 0) break;
    noteLines.push(line.length > NOTES_BUDGET ? `${line.slice(0, NOTES_BUDGET - 1)}…` : line);
    used += Buffer.byteLength(line) + 1;
    shown++;
  }
  if (shown < notes.length) noteLines.push(`… ${notes.length - shown} more: lockstep log --since ${notes[shown - 1]!.n}`);
  const sections = [head, `Landed:\n${capLines(landed, 'lockstep task list')}`];
  if (dropped.length > 0) sections.push(`Failed or abandoned (no longer in the plan):\n${capLines(dropped, 'lockstep task list')}`);
  sections.push(notes.length > 0 ? `Decisions logged during phase ${b.phase}:\n${noteLines.join('\n')}` : `No decisions were logged during phase ${b.phase}.`);
  let text = sections.join('\n');
  if (Buffer.byteLength(text) > MAX_ITEM_BYTES) text = `${Buffer.from(text).subarray(0, MAX_ITEM_BYTES - 80).toString().replace(/\uFFFD*$/, '')}\n… (cut: lockstep task list, lockstep log)`;
  return text;
}

/** At most 15 lines, then how to see the rest. */
function capLines(lines: readonly string[], more: string): string {
  if (lines.length <= 15) return lines.join('\n');
  return [...lines.slice(0, 15), `… ${lines.length - 15} more: ${more}`].join('\n');
}

function list(ids: readonly string[]): string {
  return ids.length <= 5 ? ids.join(', ') : `${ids.slice(0, 5).join(', ')} and ${ids.length - 5} more`;
}
