// What a hook answer carries from the shared memory: the notes and messages the session has not
// seen, on events whose answer reaches the model (the dialect's contextEvents, and a denial's
// reason); and, when an edit is denied because another session holds the file, a message to that
// holder saying who waits for what (claims denied through the CLI and MCP tell it too: tellHolders).
// Runs on every hook call: when nothing is new it costs one
// small file read and two stats (EmbeddedMemory.deliver).
import { deliveryText } from '../core/memory';
import type { Denial } from '../core/leaseTable';
import type { Dialect, HookDecision, HookEvent } from '../agents/dialect';
import { joinNotes } from '../agents/hookOutput';
import type { LeaseStore } from '../store/leaseStore';
import { MailboxFullError } from '../store/memoryStore';
import { openMemory } from '../store/openMemory';

/** Whether this event's answer can put text before the model. */
export function carriesContext(dialect: Dialect, event: HookEvent, decision: HookDecision): boolean {
  if (decision.kind === 'deny') return event.kind === 'pre-edit';
  return dialect.contextEvents?.has(event.eventName) ?? false;
}

/** `decision` with what the session has not seen added (to the context, or to a denial's reason). */
export function withDelivery(dialect: Dialect, event: HookEvent, decision: HookDecision, store: LeaseStore, session: { id: string; task?: string }): HookDecision {
  if (!carriesContext(dialect, event, decision)) return decision;
  const delivery = openMemory(store).deliver(session, { start: event.kind === 'session-start' });
  if (!delivery) return decision;
  const text = deliveryText(delivery);
  if (decision.kind === 'deny') return { ...decision, reason: `${decision.reason}\n\n${text}` };
  return { ...decision, context: joinNotes(decision.context, text) };
}

/** A holder hears again about the same waiter and leases at most this often (an agent may retry every second). */
export const HOLDER_NOTICE_REPEAT_MS = 5 * 60_000;

/**
 * Tells the sessions holding the files `denials` name that `waiter` waits for them: once per waiter,
 * holder and the holder's leases on those files (a lease taken again is news), repeated at most every
 * HOLDER_NOTICE_REPEAT_MS and never while the last one is undelivered. A full mailbox or a failure
 * here never changes the denial.
 */
export function notifyHolders(store: LeaseStore, waiter: { id: string; task?: string }, denials: readonly Denial[]): void {
  const byHolder = new Map<string, { key: string; fence: number }[]>();
  for (const d of denials) {
    if (d.reason.kind !== 'held' || d.reason.lease.session === waiter.id) continue;
    const holder = d.reason.lease.session;
    byHolder.set(holder, [...(byHolder.get(holder) ?? []), { key: d.key, fence: d.reason.lease.fence }]);
  }
  if (byHolder.size === 0) return;
  const memory = openMemory(store);
  for (const [holder, held] of byHolder) {
    const keys = held.map((h) => h.key);
    const text = `${waiter.id}${waiter.task ? ` (task ${waiter.task})` : ''} is waiting for ${keys.join(', ')}, which you hold: finish your edits there and release ${keys.length === 1 ? 'it' : 'them'} when you can.`;
    const about = `waiting:${held.map((h) => `${h.key}@${h.fence}`).sort().join(',')}`;
    try {
      memory.send({ from: waiter.id, to: { kind: 'session', id: holder }, text, once: { key: about, withinMs: HOLDER_NOTICE_REPEAT_MS } });
    } catch (e) {
      if (!(e instanceof MailboxFullError)) throw e;
    }
  }
}

/** notifyHolders for a claim (CLI, MCP) that was denied: a failure there never changes the denial's answer. */
export function tellHolders(store: LeaseStore, waiter: { id: string; task?: string }, denials: readonly Denial[]): void {
  try {
    notifyHolders(store, waiter, denials);
  } catch {
    /* the denial is what the caller must hear */
  }
}
