// The swarm's shared memory: a decision log (notes) and messages to sessions, tasks or everyone.
// Both are numbered monotonically per repository; each session reads them through its own cursor.
import * as z from './zod';

/** Longest note or message text (bytes of UTF-8): one item must fit in one hook answer. */
export const MAX_ITEM_BYTES = 4000;

export const Note = z.object({
  /** 1, 2, 3… per repository, never reused. */
  n: z.int().check(z.positive()),
  at: z.number(),
  /** The session that wrote it (`<agent>:<id>`), or a person (`human:<name>`). */
  by: z.string(),
  task: z.optional(z.string()),
  text: z.string(),
});
export type Note = z.infer<typeof Note>;

/** Who a message is for: one session, every session of a task (now or later), or the sessions alive when it was sent. */
export const MessageTarget = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('session'), id: z.string() }),
  z.object({ kind: z.literal('task'), id: z.string() }),
  z.object({ kind: z.literal('all') }),
]);
export type MessageTarget = z.infer<typeof MessageTarget>;

export const Message = z.object({
  n: z.int().check(z.positive()),
  at: z.number(),
  from: z.string(),
  to: MessageTarget,
  /** For `all`: the sessions it was addressed to (those alive, with room in their mailbox). */
  recipients: z.optional(z.array(z.string())),
  text: z.string(),
  /** What it is about, for a sender that must not repeat itself (SendOnce): the same key is not sent twice in a row. */
  key: z.optional(z.string()),
});
export type Message = z.infer<typeof Message>;

/** Parses `lockstep send`'s target: `all`, a session id (`<agent>:<id>`), else a task id. */
export function parseTarget(raw: string): MessageTarget {
  const t = raw.trim();
  if (t === '') throw new Error('the target is empty: give a task id, a session id (<agent>:<id>) or all');
  if (t === 'all') return { kind: 'all' };
  if (t.includes(':')) return { kind: 'session', id: t };
  return { kind: 'task', id: t };
}

export function describeTarget(to: MessageTarget): string {
  return to.kind === 'all' ? 'all' : to.kind === 'task' ? `task ${to.id}` : to.id;
}

/** Whether `m` is addressed to the session `session` working for `task`. */
export function addressedTo(m: Message, session: string, task: string | undefined): boolean {
  if (m.from === session) return false;
  switch (m.to.kind) {
    case 'session':
      return m.to.id === session;
    case 'task':
      return task !== undefined && m.to.id === task;
    case 'all':
      return m.recipients?.includes(session) ?? false;
  }
}

/** A note as one line of an agent's context. */
export function noteLine(note: Note): string {
  return `#${note.n} ${note.by}${note.task ? ` (task ${note.task})` : ''}: ${note.text}`;
}

export function messageLine(m: Message): string {
  return `message from ${m.from}${m.to.kind === 'session' ? '' : ` to ${describeTarget(m.to)}`}: ${m.text}`;
}

/** What an agent's context receives: notes and messages, oldest first, and how many still wait. */
export function deliveryText(d: { notes: readonly Note[]; messages: readonly Message[]; remaining: number }): string {
  const items = [...d.notes.map((n) => ({ at: n.at, line: noteLine(n) })), ...d.messages.map((m) => ({ at: m.at, line: messageLine(m) }))].sort((a, b) => a.at - b.at);
  const lines = ['Lockstep (decisions and messages from the other sessions in this repository):', ...items.map((i) => `- ${i.line}`)];
  if (d.remaining > 0) lines.push(`(${d.remaining} more waiting: they come with your next tool call, or run \`lockstep log\` / \`lockstep inbox\`)`);
  return lines.join('\n');
}

/** What `lockstep send` and VS Code tell the sender: who gets the message, and when. */
export function sentSummary(r: { message: Message; recipients: readonly string[]; full: readonly string[]; woken?: readonly string[] }): string {
  const to = r.message.to;
  const who = r.recipients.length > 0 ? r.recipients.join(', ') : to.kind === 'task' ? `task ${to.id}'s next session (none runs now)` : describeTarget(to);
  // Per recipient: woken now (its agent idles in a hook that can wake it), or waiting for its next event.
  const woken = r.recipients.filter((id) => r.woken?.includes(id));
  const waiting = r.recipients.filter((id) => !woken.includes(id));
  let when = "it is delivered with the agent's next tool call or prompt (an idle agent sees it when it next acts)";
  if (woken.length > 0) {
    when = `woken now with it (idle, its agent can be woken): ${woken.join(', ')}`;
    if (waiting.length > 0) when += `; delivered with the agent's next tool call or prompt (cannot be woken): ${waiting.join(', ')}`;
  }
  const lines = [`sent #${r.message.n} to ${who}; ${when}`];
  if (r.full.length > 0) lines.push(`not sent to ${r.full.join(', ')}: mailbox full`);
  return lines.join('\n');
}
