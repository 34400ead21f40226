// What changed between two views of the plan or of the sessions, in words a person watching wants to
// hear: a task started, finished, failed, landed (several at once: one landing), was put back by an
// undo, a phase opened, or a task that could start must now wait for a running task whose scope
// overlaps its own; an agent died and its locks were freed. Pure: the extension shows these as
// notifications, the demo's terminal prints the same steps.
import { plural } from './plural';

/** The parts of a task view the announcements read. */
export interface AnnouncedTask {
  id: string;
  phase: number;
  readOnly: boolean;
  status: string;
  startable: boolean;
  reasons: readonly string[];
  worktree?: string;
}

export interface Announcement {
  severity: 'info' | 'warning';
  text: string;
  /** The task it is about, when one (a notification may offer that task's actions). */
  task?: string;
  kind: 'started' | 'finished' | 'failed' | 'conflicted' | 'landed' | 'undone' | 'phase-opened' | 'waiting' | 'agent-died';
}

/** Announcements for the step from `prev` to `next` tasks; nothing for the first view (no step yet). */
export function taskAnnouncements(prev: readonly AnnouncedTask[] | undefined, next: readonly AnnouncedTask[], target = 'the target'): Announcement[] {
  if (!prev) return [];
  const before = new Map(prev.map((t) => [t.id, t]));
  const out: Announcement[] = [];
  const landed: string[] = [];
  for (const t of next) {
    const was = before.get(t.id);
    if (!was || was.status === t.status) continue;
    switch (t.status) {
      case 'running':
        out.push({ kind: 'started', severity: 'info', task: t.id, text: t.readOnly ? `Task ${t.id} started (read-only: no worktree, every edit denied).` : `Task ${t.id} started in its own worktree${t.worktree ? ` (${t.worktree})` : ''}.` });
        break;
      case 'finished':
        if (was.status === 'landed') out.push({ kind: 'undone', severity: 'info', task: t.id, text: `The landing of ${t.id} was undone: ${target} is back, ${t.id} is finished again.` });
        else out.push({ kind: 'finished', severity: 'info', task: t.id, text: `Task ${t.id} finished; it can land.` });
        break;
      case 'failed':
        out.push({ kind: 'failed', severity: 'warning', task: t.id, text: `Task ${t.id} failed${t.reasons[0] ? `: ${t.reasons[0]}` : ''}.` });
        break;
      case 'conflicted':
        out.push({ kind: 'conflicted', severity: 'warning', task: t.id, text: `Task ${t.id} conflicts${t.reasons[0] ? `: ${t.reasons[0]}` : ''}.` });
        break;
      case 'landed':
        if (!t.readOnly) landed.push(t.id);
        else if (was.status === 'running') out.push({ kind: 'finished', severity: 'info', task: t.id, text: `Read-only task ${t.id} finished (nothing to land).` });
        break;
    }
  }
  if (landed.length === 1) out.push({ kind: 'landed', severity: 'info', task: landed[0], text: `Task ${landed[0]} landed on ${target}.` });
  else if (landed.length > 1) out.push({ kind: 'landed', severity: 'info', text: `Tasks ${landed.join(', ')} landed on ${target} together.` });
  out.push(...phaseOpenings(prev, next));
  out.push(...newOverlapWaits(prev, next));
  return out;
}

/** A task that could start and now waits because a running task's scope overlaps its own (the gate's words). */
function newOverlapWaits(prev: readonly AnnouncedTask[], next: readonly AnnouncedTask[]): Announcement[] {
  const before = new Map(prev.map((t) => [t.id, t]));
  const out: Announcement[] = [];
  for (const t of next) {
    const was = before.get(t.id);
    if (!was?.startable || t.startable || t.status !== 'queued') continue;
    const overlaps = t.reasons.filter((r) => r.startsWith("waits for '"));
    if (overlaps.length > 0) out.push({ kind: 'waiting', severity: 'info', task: t.id, text: `Task ${t.id} ${overlaps.join('; ')}.` });
  }
  return out;
}

/** A later phase opens when one of its tasks becomes startable for the first time. */
function phaseOpenings(prev: readonly AnnouncedTask[], next: readonly AnnouncedTask[]): Announcement[] {
  const minPhase = Math.min(...next.map((t) => t.phase));
  const startableBefore = new Set(prev.filter((t) => t.startable || t.status !== 'queued' && t.status !== 'ready').map((t) => t.phase));
  const opened = new Map<number, string[]>();
  for (const t of next) {
    if (t.phase === minPhase || !t.startable || startableBefore.has(t.phase)) continue;
    opened.set(t.phase, [...(opened.get(t.phase) ?? []), t.id]);
  }
  return [...opened].map(([phase, ids]) => ({ kind: 'phase-opened' as const, severity: 'info' as const, task: ids[0], text: `Phase ${phase} is open: ${ids.join(', ')} can start.` }));
}

/** The parts of a session and a lease the announcements read. */
export interface AnnouncedSession {
  id: string;
  live: boolean;
  endReason?: string;
  task?: string;
}

/** An agent outside the plan whose process died while it held locks: they were freed at once (a task's agent is announced by its task). */
export function sessionAnnouncements(
  prev: { sessions: readonly AnnouncedSession[]; leases: readonly { key: string; session: string }[] } | undefined,
  next: { sessions: readonly AnnouncedSession[] },
): Announcement[] {
  if (!prev) return [];
  const held = new Map<string, string[]>();
  for (const l of prev.leases) held.set(l.session, [...(held.get(l.session) ?? []), l.key]);
  const wasLive = new Set(prev.sessions.filter((s) => s.live).map((s) => s.id));
  const out: Announcement[] = [];
  for (const s of next.sessions) {
    const keys = held.get(s.id);
    if (s.live || s.task !== undefined || !wasLive.has(s.id) || !keys || !/agent process \d+ ended|died|exited/i.test(s.endReason ?? '')) continue;
    const files = keys.length <= 3 ? keys.join(', ') : plural(keys.length, 'file');
    out.push({ kind: 'agent-died', severity: 'warning', text: `The agent of session ${s.id} is gone (${s.endReason}); its locks on ${files} were freed at once.` });
  }
  return out;
}
