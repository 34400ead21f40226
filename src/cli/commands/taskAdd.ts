// `lockstep task add <id> --title T --prompt P [--scope g]… [--start]`: a lead agent (or a person)
// adds a task to the plan and asks the scheduler to start it; the answer is "started" (worktree,
// branch) or "queued: <reason>" (the gate's).
import type { Command } from 'commander';
import { action, authorOf, CliError, printJson } from '../commandContext';
import { addPlanTask, describeAnswer, startOrQueue } from '../taskFanOut';
import { openScheduler, schedulerCall } from './task';

interface AddOptions {
  title: string;
  prompt: string;
  agent?: string;
  scope: string[];
  phase?: string;
  dependsOn: string[];
  readOnly?: boolean;
  start?: boolean;
  json?: boolean;
}

const collect = (v: string, prev: string[]) => [...prev, v];

export function registerTaskAddCommand(program: Command): void {
  const task = program.commands.find((c) => c.name() === 'task');
  if (!task) throw new Error('the task command must be registered first');
  task
    .command('add')
    .description('add a task to the plan (.lockstep/plan.yaml); with --start, ask the scheduler to start it now')
    .argument('<id>', 'task id (lowercase letters, digits, . _ -)')
    .requiredOption('--title <title>', 'one line saying what the task is')
    .requiredOption('--prompt <prompt>', "the agent's instructions")
    .option('--agent <name>', 'agent from the plan (default: the plan\'s default)')
    .option('--scope <glob>', 'files the task may edit (repeat for more)', collect, [])
    .option('--phase <n>', 'phase number (default 1)')
    .option('--depends-on <id>', 'a task that must land first (repeat for more)', collect, [])
    .option('--read-only', 'the task edits nothing (runs without a worktree)')
    .option('--start', 'start it now if the gate allows, else say why it waits')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExit status: 0 added (and started or queued), 1 error (nothing added; when only the start failed, the task stays in the plan and the message says so).')
    .action(
      action(async (id: string, opts: AddOptions) => {
        let phase: number | undefined;
        if (opts.phase !== undefined) {
          phase = Number(opts.phase);
          if (!Number.isInteger(phase) || phase < 1) throw new CliError(`--phase '${opts.phase}': expected a whole number, 1 or more`);
        }
        const spec = {
          id,
          title: opts.title,
          prompt: opts.prompt,
          ...(opts.agent ? { agent: opts.agent } : {}),
          ...(opts.scope.length ? { scope: opts.scope } : {}),
          ...(phase ? { phase } : {}),
          ...(opts.dependsOn.length ? { dependsOn: opts.dependsOn } : {}),
          ...(opts.readOnly ? { readOnly: true } : {}),
        };
        // The lead (LOCKSTEP_SESSION, else the person) hears when the task's phase is done; the plan
        // Lockstep rewrites for it is its edit.
        const lead = authorOf(undefined);
        const scheduler = openScheduler({ detached: true, author: lead });
        await schedulerCall(async () => addPlanTask(scheduler, spec, lead));
        let answer;
        if (opts.start) {
          try {
            answer = await schedulerCall(() => startOrQueue(scheduler, id, lead));
          } catch (e) {
            const err = e as CliError;
            throw new CliError(`added ${id} to the plan, but it did not start: ${err.message}`, err.exitCode ?? 1, err.details);
          }
        }
        if (opts.json) return printJson({ ok: true, added: id, ...answer });
        process.stdout.write(`added ${id} to the plan\n`);
        if (answer) process.stdout.write(`${describeAnswer(id, answer)}\n`);
      }),
    );
}
