// The words every surface uses for a held file (deny reasons, hovers, tooltips, tree items), so an
// agent and a person read the same sentence: "Held by codex session 3f2a (task 'api'), 9 more minutes".

/** "codex session 3f2a1b2c" (agent ids are long); the scheduler's task sessions name their task. */
export function shortSession(id: string): string {
  const [agent, ...rest] = id.split(':');
  const raw = rest.join(':');
  const task = /^lockstep-(.+)$/.exec(raw)?.[1];
  if (task) return `${agent} session of task '${task}'`;
  return `${agent} session ${raw.length > 8 ? raw.slice(0, 8) : raw}`;
}

export function isHumanSession(id: string): boolean {
  const agent = id.split(':')[0];
  return agent === 'vscode' || agent === 'human';
}

/** "the user (vscode:alice)" for people, "codex session 3f2a1b2c" for agents. */
export function holderName(sessionId: string): string {
  return isHumanSession(sessionId) ? `the user (${sessionId})` : shortSession(sessionId);
}

export function timeLeft(expiresAt: number, now: number): string {
  const ms = Math.max(0, expiresAt - now);
  if (ms < 60_000) return `${Math.ceil(ms / 1000)} more seconds`;
  const min = Math.ceil(ms / 60_000);
  if (min < 120) return min === 1 ? '1 more minute' : `${min} more minutes`;
  return `${Math.round(min / 60)} more hours`;
}

export interface LeaseFacts {
  session: string;
  expiresAt: number;
  task?: string;
}

export function describeLease(lease: LeaseFacts, now: number, holderTask?: string): string {
  const task = lease.task ?? holderTask;
  return `Held by ${holderName(lease.session)}${task ? ` (task '${task}')` : ''}, ${timeLeft(lease.expiresAt, now)}`;
}
