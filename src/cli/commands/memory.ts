// `lockstep note|log|send|inbox`: the swarm's decision log and mailboxes (store/memoryStore.ts: on files, or on Redis in team mode).
import type { Command } from 'commander';
import { messageLine, noteLine, parseTarget, sentSummary, type Message, type Note } from '../../core/memory';
import { MailboxFullError } from '../../store/memoryStore';
import { openMemory } from '../../store/openMemory';
import { identifyAgentProcess } from '../../agents/agentProcess';
import { isOwnSession, peekNotice } from '../inboxOwner';
import { action, authorOf, CliError, EXIT_DENIED, openContext, parseSessionId, printJson } from '../commandContext';


function formatNote(n: Note): string {
  return `${new Date(n.at).toISOString().slice(0, 19).replace('T', ' ')}  ${noteLine(n)}`;
}

function formatMessage(m: Message): string {
  return `${new Date(m.at).toISOString().slice(0, 19).replace('T', ' ')}  #${m.n} ${messageLine(m)}`;
}

function parseSince(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new CliError(`--since '${v}': expected a note number (0 or more)`);
  return n;
}

export function registerMemoryCommands(program: Command): void {
  program
    .command('note')
    .description("add a decision to the repository's decision log (delivered to the other sessions' agents)")
    .argument('<decision>', 'what was decided, in one or two sentences')
    .option('--task <id>', 'the task it concerns (default: LOCKSTEP_TASK)')
    .option('--session <id>', 'who decided it, <agent>:<id> (default: LOCKSTEP_SESSION, else human:<you>)')
    .option('--json', 'print JSON')
    .action(
      action((text: string, opts: { task?: string; session?: string; json?: boolean }) => {
        const ctx = openContext();
        const task = opts.task ?? (process.env.LOCKSTEP_TASK || undefined);
        const note = wrap(() => openMemory(ctx.store).note({ by: authorOf(opts.session), task, text }));
        if (opts.json) printJson({ ok: true, note });
        else process.stdout.write(`noted #${note.n}\n`);
      }),
    );

  program
    .command('log')
    .description('show the decision log, oldest first')
    .option('--since <n>', 'only notes numbered higher than n')
    .option('--task <id>', 'only notes of this task')
    .option('--follow', 'keep printing new notes as they are written (Ctrl-C stops)')
    .option('--json', 'print JSON (with --follow: one note per line)')
    .action(
      action(async (opts: { since?: string; task?: string; follow?: boolean; json?: boolean }) => {
        const ctx = openContext();
        const memory = openMemory(ctx.store);
        let since = parseSince(opts.since);
        // Taken before the first read: a note written in between changes it, so it is read below.
        let stamp = memory.stamp();
        const all = memory.notes({ since });
        const notes = all.filter((n) => opts.task === undefined || n.task === opts.task);
        if (opts.json && !opts.follow) return printJson({ ok: true, notes });
        const print = (n: Note) => process.stdout.write(opts.json ? `${JSON.stringify(n)}\n` : `${formatNote(n)}\n`);
        if (notes.length === 0 && !opts.follow) process.stdout.write('no notes yet (add one with lockstep note "<decision>")\n');
        notes.forEach(print);
        if (!opts.follow) return;
        since = all.at(-1)?.n ?? since ?? 0;
        // Ctrl-C (or SIGTERM) ends the wait between two reads: whole lines only, exit status 0.
        let stop: () => void = () => undefined;
        let stopped = false;
        const onSignal = () => {
          stopped = true;
          stop();
        };
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        while (!stopped) {
          await new Promise<void>((r) => {
            const timer = setTimeout(r, 300);
            stop = () => {
              clearTimeout(timer);
              r();
            };
          });
          const now = memory.stamp();
          if (stopped || now === stamp) continue;
          stamp = now;
          for (const n of memory.notes({ since })) {
            since = n.n;
            if (opts.task === undefined || n.task === opts.task) print(n);
          }
        }
      }),
    );

  program
    .command('send')
    .description("send a message to a task's agent, a session, or all running sessions (delivered with their next hook event; an idle Claude Code session is woken)")
    .argument('<to>', 'a task id, a session id (<agent>:<id>), or all')
    .argument('<message>', 'the message')
    .option('--session <id>', 'who sends it (default: LOCKSTEP_SESSION, else human:<you>)')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExit status: 0 sent, 3 refused (the mailbox is full), 1 error.')
    .action(
      action((to: string, text: string, opts: { session?: string; json?: boolean }) => {
        const ctx = openContext();
        let target;
        try {
          target = parseTarget(to);
        } catch (e) {
          throw new CliError((e as Error).message);
        }
        if (target.kind === 'session') parseSessionId(target.id, 'the target');
        const r = wrap(() => openMemory(ctx.store).send({ from: authorOf(opts.session), to: target, text }));
        if (opts.json) return printJson({ ok: true, ...r });
        process.stdout.write(`${sentSummary(r)}\n`);
      }),
    );

  program
    .command('inbox')
    .description("show a session's undelivered messages: your own session's are marked read, another session's are only peeked at")
    .option('--session <id>', 'whose inbox, <agent>:<id> (default: LOCKSTEP_SESSION, else human:<you>)')
    .option('--task <id>', "the session's task, for messages sent to the task (default: LOCKSTEP_TASK)")
    .option('--peek', 'leave them unread')
    .option('--json', 'print JSON')
    .action(
      action((opts: { session?: string; task?: string; peek?: boolean; json?: boolean }) => {
        const ctx = openContext();
        const id = authorOf(opts.session);
        const task = opts.task ?? (process.env.LOCKSTEP_TASK || undefined);
        // Only the caller's own session consumes: another session's agent must still get them through its hooks.
        const own = !opts.session || isOwnSession(id, ctx.store.read(), { own: authorOf(undefined), agentProcess: () => identifyAgentProcess() });
        const peek = opts.peek === true || !own;
        const messages = wrap(() => openMemory(ctx.store).inbox({ id, task }, { consume: !peek }));
        if (opts.json) return printJson({ ok: true, session: id, peek, ...(own ? {} : { notice: peekNotice(id, messages.length) }), messages });
        if (messages.length === 0) process.stdout.write(`no messages for ${id}\n`);
        for (const m of messages) process.stdout.write(`${formatMessage(m)}\n`);
        if (!own && messages.length > 0) process.stdout.write(`(${peekNotice(id, messages.length)})\n`);
      }),
    );
}

/** Store refusals as CLI errors: a full mailbox is a refusal (exit 3), the rest errors. */
function wrap<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof MailboxFullError) throw new CliError(e.message, EXIT_DENIED);
    throw e;
  }
}
