// `lockstep task list|start|stop|finish|abandon`: the scheduler from the command line, without VS Code.
// `task start` launches the agent as a detached child process (output in <common>/lockstep/logs/<id>.log)
// and returns; the task finishes when its agent exits (noticed by the next scheduler command) or
// with `lockstep task finish`.
import * as path from 'node:path';
import type { Command } from 'commander';
import type { SchedulerState, TaskView } from '../../protocol/schedulerMethods';
import { ChildProcessLauncher } from '../../scheduler/childProcessLauncher';
import { Scheduler, SchedulerError } from '../../scheduler/scheduler';
import { action, CliError, EXIT_DENIED, openContext, printJson, recordWritesFor } from '../commandContext';

/** A scheduler for the repository around the current folder, launching agents as child processes. */
export function openScheduler(opts: { detached?: boolean; maxParallel?: number; log?: (line: string) => void; author?: string } = {}): Scheduler {
  const ctx = openContext();
  const author = opts.author;
  return new Scheduler({
    repoDir: ctx.cwd,
    store: ctx.store,
    launcher: new ChildProcessLauncher({ detached: opts.detached }),
    ...(opts.maxParallel !== undefined ? { maxParallel: opts.maxParallel } : {}),
    ...(opts.log ? { log: opts.log } : {}),
    // The plan Lockstep rewrites at the author's request is the author's edit, not an unleased one.
    ...(author
      ? {
          planWritten: (file: string) => {
            const unrecorded = recordWritesFor([file], author, ctx);
            if (unrecorded) process.stderr.write(`lockstep: note: ${path.basename(file)} ${unrecorded}\n`);
          },
        }
      : {}),
  });
}

/** SchedulerError → CliError: gate refusals exit 3 (nothing changed), everything else 1. */
export async function schedulerCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof SchedulerError) throw new CliError(e.message, e.details.reasons ? EXIT_DENIED : 1, { ...e.details });
    throw e;
  }
}

function taskLine(t: TaskView): string {
  const where = t.worktree ? `  ${t.worktree}` : t.readOnly ? '  (read-only, main checkout)' : '';
  const branch = t.branch ? `  ${t.branch}` : '';
  const pid = t.pid ? `  pid ${t.pid}` : '';
  const head = `  ${t.id.padEnd(16)} ${t.status.padEnd(10)} ${t.agent}${branch}${where}${pid}`;
  return [head, ...t.reasons.map((r) => `      ${r}`)].join('\n');
}

export function formatState(s: SchedulerState): string {
  if (!s.plan.valid) return ['the plan is invalid:', ...s.plan.issues.map((i) => `  ${i.text}`)].join('\n');
  const out = [`plan ${s.plan.file}: target ${s.plan.target}, ${s.running} of ${s.maxParallel} slots in use, auto-run ${s.plan.autoRun ? 'on' : 'off'}`];
  let phase: number | undefined;
  for (const t of s.tasks) {
    if (t.phase !== phase) {
      phase = t.phase;
      out.push(`phase ${phase}`);
    }
    out.push(taskLine(t));
  }
  if (s.tasks.length === 0) out.push('  (no tasks)');
  return out.join('\n');
}

export function register(program: Command): void {
  const task = program.command('task').description("the plan's tasks: list, start, stop, finish, abandon");

  task
    .command('list')
    .description('every task with its status, why it waits, its branch and worktree')
    .option('--json', 'print JSON')
    .action(
      action(async (opts: { json?: boolean }) => {
        const s = await schedulerCall(() => openScheduler().list());
        if (opts.json) printJson({ ok: true, ...s });
        else process.stdout.write(formatState(s) + '\n');
        if (!s.plan.valid) process.exitCode = 1;
      }),
    );

  task
    .command('start')
    .description('start a task now (refused, with the reasons, unless the gate allows it); its agent runs in the background')
    .argument('<id>', 'task id')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExit status: 0 started, 3 refused by the gate (nothing changed), 1 error (what the start did was rolled back).')
    .action(
      action(async (id: string, opts: { json?: boolean }) => {
        const r = await schedulerCall(() => openScheduler({ detached: true }).start(id));
        if (opts.json) printJson({ ok: true, ...r });
        else {
          const lines = [`started ${id}${r.pid ? ` (pid ${r.pid})` : ''}${r.task.worktree ? ` in ${r.task.worktree}` : ''}`];
          for (const n of r.notes) lines.push(`  ${n}`);
          lines.push(`  log: ${r.logFile}`);
          process.stdout.write(lines.join('\n') + '\n');
        }
      }),
    );

  for (const [name, description] of [
    ['stop', "stop a running task's agent; the task goes back to queued, its branch and worktree kept"],
    ['finish', 'mark a task finished (its agent is done); its worktree stays until it lands'],
  ] as const) {
    task
      .command(name)
      .description(description)
      .argument('<id>', 'task id')
      .option('--json', 'print JSON')
      .action(
        action(async (id: string, opts: { json?: boolean }) => {
          const r = await schedulerCall(() => {
            const s = openScheduler();
            return name === 'stop' ? s.stop(id) : s.markFinished(id);
          });
          if (opts.json) printJson({ ok: true, ...r });
          else process.stdout.write([`${id}: ${r.task.status}`, ...r.notes.map((n) => `  ${n}`)].join('\n') + '\n');
        }),
      );
  }

  task
    .command('abandon')
    .description('give a task up: its worktree is removed only when clean, its branch deleted only when merged')
    .argument('<id>', 'task id')
    .option('--json', 'print JSON')
    .action(
      action(async (id: string, opts: { json?: boolean }) => {
        const r = await schedulerCall(() => openScheduler().abandon(id));
        if (opts.json) printJson({ ok: true, ...r });
        else process.stdout.write(r.message + '\n');
      }),
    );
}
