// Decision log and message commands: Add Note…, Send Message to Session… (from the palette, a
// session in Sessions & Locks, a task in the Scheduler, or the conflict matrix), Filter Decision
// Log…. Each sends one request as the user's session; the views update from the server's
// memoryChanged notification.
import * as vscode from 'vscode';
import { MAX_ITEM_BYTES } from '../core/memory';
import { holderName } from '../core/leaseNotice';
import { plural } from '../core/plural';
import type { SendMessageResult } from '../protocol/memoryMethods';
import type { CommandSpec } from './commands';
import type { DecisionLogFilter } from './decisionLogView';
import type { LockstepContext } from './lockstepContext';

/** What the input boxes refuse before anything is sent (the server checks again). */
function checkText(text: string): string | undefined {
  if (text.trim() === '') return 'Write something first.';
  const bytes = new TextEncoder().encode(text.trim()).length;
  if (bytes > MAX_ITEM_BYTES) return `${bytes} bytes: at most ${MAX_ITEM_BYTES} fit in one agent event. Shorten it or split it.`;
  return undefined;
}

/** The message target a command was invoked on: a string, `{to}`, a Sessions tree session, or a Scheduler task. */
function targetOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  const a = arg as { to?: unknown; session?: { id?: unknown }; task?: { id?: unknown } } | undefined;
  if (typeof a?.to === 'string') return a.to;
  if (typeof a?.session?.id === 'string') return a.session.id;
  if (typeof a?.task?.id === 'string') return a.task.id;
  return undefined;
}

function describeTo(to: string): string {
  if (to === 'all') return 'every running session';
  return to.includes(':') ? holderName(to) : `task ${to}'s agent`;
}

/** Asks whom to message: every running session, one live session, or a task of the plan. */
async function pickTarget(ctx: LockstepContext): Promise<string | undefined> {
  const snap = ctx.state.current;
  const live = (snap?.sessions ?? []).filter((s) => s.live && s.id !== snap?.userSession);
  const waiting = (id: string) => {
    const n = ctx.memory.unread(id);
    return n > 0 ? `${plural(n, 'message')} waiting` : undefined;
  };
  type Item = vscode.QuickPickItem & { to?: string };
  const items: Item[] = [{ label: 'All running sessions', description: plural(live.length, 'session'), to: 'all' }];
  if (live.length > 0) items.push({ label: 'Sessions', kind: vscode.QuickPickItemKind.Separator });
  for (const s of live) {
    items.push({ label: holderName(s.id), description: [s.task ? `task ${s.task}` : undefined, waiting(s.id)].filter(Boolean).join(' · '), detail: s.id, to: s.id });
  }
  const tasks = ctx.scheduler.current?.tasks ?? [];
  if (tasks.length > 0) items.push({ label: 'Tasks (their agent, now or when it starts)', kind: vscode.QuickPickItemKind.Separator });
  for (const t of tasks) items.push({ label: `task ${t.id}`, description: `${t.title} · ${t.status}`, to: t.id });
  const pick = await vscode.window.showQuickPick(items, { title: 'Send a message to whom?', matchOnDescription: true, matchOnDetail: true });
  return pick?.to;
}

/**
 * Asks for the text (unless given) and sends it to `to` (a task id, session id or `all`) as the
 * user's session. Undefined when the user cancelled; throws the server's one-line refusal (a full mailbox…).
 */
export async function sendMessageTo(ctx: LockstepContext, to: string, text?: string): Promise<SendMessageResult | undefined> {
  const body =
    text ??
    (await vscode.window.showInputBox({
      title: `Message to ${describeTo(to)}`,
      prompt: 'Delivered into the agent\'s context with its next tool call or prompt (each message once).',
      placeHolder: 'e.g. Keep the v1 endpoint until the UI task lands',
      validateInput: checkText,
    }));
  if (body === undefined) return undefined;
  const client = ctx.client;
  if (!client?.running) throw new Error('the Lockstep coordinator is not running');
  return client.memory('sendMessage', { to, text: body });
}

async function pickFilter(ctx: LockstepContext): Promise<DecisionLogFilter | null | undefined> {
  const notes = ctx.memory.current?.notes ?? [];
  const tasks = new Set<string>([...(ctx.scheduler.current?.tasks ?? []).map((t) => t.id), ...notes.flatMap((n) => (n.task ? [n.task] : []))]);
  const authors = new Set(notes.map((n) => n.by));
  type Item = vscode.QuickPickItem & { filter: DecisionLogFilter | null };
  const count = (f: (n: (typeof notes)[number]) => boolean) => plural(notes.filter(f).length, 'note');
  const items: Item[] = [{ label: 'All notes', description: count(() => true), filter: null }];
  if (tasks.size > 0) items.push({ label: 'Tasks', kind: vscode.QuickPickItemKind.Separator, filter: null });
  for (const t of [...tasks].sort()) items.push({ label: `task ${t}`, description: count((n) => n.task === t), filter: { kind: 'task', id: t } });
  if (authors.size > 0) items.push({ label: 'Written by', kind: vscode.QuickPickItemKind.Separator, filter: null });
  for (const a of [...authors].sort()) items.push({ label: a, description: count((n) => n.by === a), filter: { kind: 'session', id: a } });
  const pick = await vscode.window.showQuickPick(items, { title: 'Show which notes?' });
  return pick ? pick.filter : undefined;
}

export const memoryCommandTable: Record<string, CommandSpec> = {
  'lockstep.addNote': {
    needsServer: true,
    async run(ctx, arg) {
      const given = arg as { text?: unknown; task?: unknown } | undefined;
      const text =
        typeof given?.text === 'string'
          ? given.text
          : await vscode.window.showInputBox({
              title: 'Add a decision to the log',
              prompt: "Every other session's agent receives it with its next tool call or prompt.",
              placeHolder: 'e.g. Dates are ISO 8601 strings in every API response',
              validateInput: checkText,
            });
      if (text === undefined) return;
      let task = typeof given?.task === 'string' ? given.task : undefined;
      const tasks = ctx.scheduler.current?.tasks ?? [];
      if (typeof given?.text !== 'string' && tasks.length > 0) {
        const pick = await vscode.window.showQuickPick(
          [{ label: 'No task', description: 'a decision for the whole repository', id: undefined as string | undefined }, ...tasks.map((t) => ({ label: `task ${t.id}`, description: t.title, id: t.id as string | undefined }))],
          { title: 'Which task does it concern?' },
        );
        if (!pick) return;
        task = pick.id;
      }
      const r = await ctx.client!.memory('addNote', { text, ...(task ? { task } : {}) });
      void vscode.window.showInformationMessage(`Lockstep: noted #${r.note.n}${r.note.task ? ` (task ${r.note.task})` : ''} in the decision log.`);
      return r.note;
    },
  },
  'lockstep.sendMessage': {
    needsServer: true,
    async run(ctx, arg) {
      const to = targetOf(arg) ?? (await pickTarget(ctx));
      if (!to) return;
      const given = (arg as { text?: unknown } | undefined)?.text;
      const r = await sendMessageTo(ctx, to, typeof given === 'string' ? given : undefined);
      if (!r) return;
      void vscode.window.showInformationMessage(`Lockstep: ${r.text.replace(/\n/g, '; ')}`);
      return r;
    },
  },
  'lockstep.filterDecisionLog': {
    needsServer: false,
    async run(ctx) {
      const filter = await pickFilter(ctx);
      if (filter === undefined) return;
      ctx.decisionLogTree.setFilter(filter ?? undefined);
    },
  },
};
