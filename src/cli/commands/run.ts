// `lockstep run [--json] [--max-parallel N]`: executes the plan to completion without VS Code. Agents
// run as child processes (output in <common>/lockstep/logs/<id>.log), at most N at once; each write
// task lands on the target as soon as it finishes (with the plan's verify command), so later phases
// and dependants open. Progress goes to stderr; the summary to stdout. Exit 0 when every task landed,
// 1 otherwise (a failed or conflicted task stops its dependants), 130 when interrupted.
import type { Command } from 'commander';
import { formatRunSummary, runPlan } from '../../scheduler/planRunner';
import { action, CliError, printJson } from '../commandContext';
import { openScheduler, schedulerCall } from './task';

function parseMaxParallel(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new CliError(`--max-parallel '${v}': expected a whole number from 1 to 256`);
  return n;
}

export function register(program: Command): void {
  program
    .command('run')
    .description('run the plan to completion without VS Code: start tasks as the gate allows, land each as it finishes')
    .option('--max-parallel <n>', "at most this many agents at once (default: the plan's maxParallel)")
    .option('--retry-failed', "start the tasks that had failed again first (each in its kept worktree, on its branch)")
    .option('--json', 'print the summary as JSON')
    .addHelpText('after', '\nThe summary says, for each failed or conflicted task, what to do next.\nExit status: 0 every task landed, 1 otherwise (the summary says why), 130 interrupted.')
    .action(
      action(async (opts: { maxParallel?: string; json?: boolean; retryFailed?: boolean }) => {
        const maxParallel = parseMaxParallel(opts.maxParallel);
        const scheduler = openScheduler({ maxParallel });
        const abort = new AbortController();
        const onSignal = () => abort.abort();
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        try {
          const summary = await schedulerCall(() =>
            runPlan(scheduler, {
              signal: abort.signal,
              retryFailed: opts.retryFailed === true,
              onEvent: (e) => process.stderr.write(`lockstep run: ${e.message}\n`),
            }),
          );
          if (opts.json) printJson(summary);
          else process.stdout.write(formatRunSummary(summary) + '\n');
          process.exitCode = abort.signal.aborted ? 130 : summary.ok ? 0 : 1;
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
        }
      }),
    );
}
