// Whose inbox a caller may consume: its own session's only. Reading another session's inbox is a peek
// (nothing is marked read), so that session's agent still gets its messages through its own hooks.
import type { LeaseTableState, ProcessIdentity } from '../core/model';
import { sameProcess } from '../core/processIdentity';

export interface InboxCaller {
  /** The session the caller runs as: LOCKSTEP_SESSION, else (the CLI) the person at the terminal. */
  own: string | undefined;
  /** The agent process the caller runs under: a session recorded with that process is the caller's too. */
  agentProcess: () => ProcessIdentity | undefined;
}

/** Whether `id` is the caller's own session (reading its inbox marks the messages read). */
export function isOwnSession(id: string, state: Pick<LeaseTableState, 'sessions'>, caller: InboxCaller): boolean {
  if (id === caller.own) return true;
  const recorded = state.sessions[id];
  if (!recorded || recorded.endedAt !== undefined || !recorded.process) return false;
  return sameProcess(caller.agentProcess(), recorded.process);
}

/** What the reader of another session's inbox is told. */
export function peekNotice(id: string, count: number): string {
  return `peeked at ${id}'s inbox: ${count === 1 ? 'the message stays' : 'they stay'} unread, for its agent to receive through its hooks (only ${id} itself marks its messages read)`;
}
