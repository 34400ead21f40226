// The sentence an editor shows on a file another session holds (diagnostic and hover):
// "Held by codex session 3f2a (task 'api'), 9 more minutes".
import { shortSession } from '../core/denialMessage';
import type { LeaseView, SessionView } from '../protocol/coordinatorState';

export function timeLeft(expiresAt: number, now: number): string {
  const ms = Math.max(0, expiresAt - now);
  if (ms < 60_000) return `${Math.ceil(ms / 1000)} more seconds`;
  const min = Math.ceil(ms / 60_000);
  return min === 1 ? '1 more minute' : `${min} more minutes`;
}

export function describeLease(lease: LeaseView, holder: SessionView | undefined, now: number): string {
  const agent = holder?.agent ?? lease.session.split(':')[0];
  const who = agent === 'vscode' || agent === 'human' ? `the user ${lease.session}` : shortSession(lease.session);
  const task = lease.task ?? holder?.task;
  return `Held by ${who}${task ? ` (task '${task}')` : ''}, ${timeLeft(lease.expiresAt, now)}`;
}
