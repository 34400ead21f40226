// A lease granted at an agent's pre-edit is only a promise of an edit: the agent's own permission
// check may still refuse it (Claude Code in default mode asks the user after PreToolUse), or the
// tool may fail. Such a lease is marked unconfirmed until the post-edit arrives, and released when
// the agent reports that the edit did not happen, or ends its turn without confirming it, so a
// refused edit does not leave the file locked for the rest of the session.
import type { HookEvent } from '../agents/dialect';
import type { LeaseTable } from '../core/leaseTable';
import type { AgentName, Lease } from '../core/model';

/**
 * Agents that answer every edit call of a thread with its post-edit before that thread's turn ends
 * (seen with the real CLIs): at the end of the turn, an edit still unconfirmed did not happen.
 */
const CONFIRMS_BEFORE_TURN_END: ReadonlySet<AgentName> = new Set(['claude']);

/** The mark a pre-edit puts on the leases it grants. */
export function unconfirmedMark(event: HookEvent): Lease['unconfirmed'] {
  return { thread: event.thread, toolUseId: event.toolUseId };
}

/** The agent reported the edit failed or was refused: its paths' unconfirmed leases go. */
export function releaseFailedEdit(table: LeaseTable, sessionId: string, event: HookEvent, keys: readonly string[]): string[] {
  const sameCall = (u: NonNullable<Lease['unconfirmed']>) => !u.toolUseId || !event.toolUseId || u.toolUseId === event.toolUseId;
  return table.releaseUnconfirmed(sessionId, (u, key) => keys.includes(key) && sameCall(u), `${event.agent} did not make the edit (${event.eventName})`);
}

/**
 * A thread's turn ended (Stop, SubagentStop) or a new prompt began (the main thread's turn is over)
 * without confirming an edit: that edit did not happen.
 */
export function releaseUnconfirmedAtTurnEnd(table: LeaseTable, sessionId: string, event: HookEvent): string[] {
  if (!CONFIRMS_BEFORE_TURN_END.has(event.agent)) return [];
  const thread = event.kind === 'prompt' ? undefined : event.thread;
  return table.releaseUnconfirmed(sessionId, (u) => u.thread === thread, `${event.agent} ended its turn without making the edit (${event.eventName})`);
}
