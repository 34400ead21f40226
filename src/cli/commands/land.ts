// `lockstep land <task...> [--atomic]`, `lockstep undo-landing`, `lockstep check-output <task>`: landing
// from the command line. Tasks land on the plan's target in dependency then plan order, verified with
// the plan's verify command; by default one by one (stopping at the first failure), with --atomic all
// together or none. A task lands when its branch `lockstep/<id>` has commits the target lacks, whether
// the scheduler started it or the work was committed there by hand. Progress goes to stderr.
import type { Command } from 'commander';
import type { LandingProgress, LandTasksResult } from '../../protocol/schedulerMethods';
import { action, CliError, printJson } from '../commandContext';
import { openScheduler, schedulerCall } from './task';

/** Lines of a check's output shown inline: the last 30 (each cut at 300 characters); the rest is in the kept log. */
export function outputTail(output: string, maxLines = 30, maxWidth = 300): { lines: string[]; shown: number; omitted: number } {
  const all = output.replace(/\s+$/, '').split('\n').filter((l, i, a) => a.length > 1 || l !== '');
  const lines = all.slice(-maxLines).map((l) => (l.length > maxWidth ? `${l.slice(0, maxWidth - 1)}…` : l));
  return { lines, shown: lines.length, omitted: all.length - lines.length };
}

function resultLines(r: LandTasksResult): string[] {
  const lines = [r.message];
  for (const c of r.culprits ?? (r.culprit ? [r.culprit] : [])) {
    if (c.kind === 'conflict') lines.push(`  ${c.task}: conflicted in ${(c.paths ?? []).join(', ')}`);
    else {
      const tail = outputTail(c.output ?? '');
      lines.push(`  ${c.task}: failed its check${tail.shown ? `; ${tail.omitted ? `the last ${tail.shown} lines of its output` : 'its output'}:` : ' (it printed nothing)'}`);
      lines.push(...tail.lines.map((l) => `    | ${l}`));
      if (c.checkLog) lines.push(`  whole output: lockstep check-output ${c.task} (${c.checkLog})`);
    }
  }
  for (const r2 of r.removed) lines.push(`  removed ${r2}`);
  for (const k of r.kept) lines.push(`  kept ${k.kind} ${k.name}: ${k.why}`);
  return lines;
}

export function register(program: Command): void {
  program
    .command('land')
    .description("land tasks on the plan's target, verified first: one by one (default) or all together (--atomic)")
    .argument('[task...]', 'task ids (ordered by dependencies, then plan order)')
    .option('--atomic', 'all of them land together or none does')
    .option('--queue', "land what waits in the landing queue (finished tasks), in batches: see lockstep queue")
    .option('--allow-out-of-scope', "land branches that change files outside their task's scope (the files are recorded in the landing)")
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      [
        '',
        'A task can land when its branch lockstep/<id> has commits the target lacks (started by the',
        "scheduler, or committed there by hand) and changes only files inside the task's scope (else the",
        'files are named and nothing lands; --allow-out-of-scope or the plan\'s allowOutOfScope: true lets',
        'them land, recorded in the landing). A conflict or a failed check leaves the target untouched',
        'and marks the task conflicted (with the paths) or failed (see lockstep check-output <id>).',
        'Exit status: 0 every task landed, 1 refused or failed (the culprit and the reason are printed).',
      ].join('\n'),
    )
    .action(
      action(async (ids: string[], opts: { atomic?: boolean; queue?: boolean; json?: boolean; allowOutOfScope?: boolean }) => {
        const onProgress = (p: LandingProgress) => process.stderr.write(`lockstep land: ${p.detail}\n`);
        if (opts.queue) {
          if (ids.length > 0 || opts.atomic) throw new CliError('lockstep land --queue takes no task ids and no --atomic: it lands what waits in the queue');
          const q = await schedulerCall(() => openScheduler().runLandingQueue({ onProgress }));
          if (opts.json) {
            if (!q.ok) throw new CliError(q.message.split('\n').at(-1)!, 1, { ...q });
            return printJson({ ...q });
          }
          const lines: string[] = [];
          q.batches.forEach((b, i) => lines.push(...resultLines(b).map((l, k) => (k === 0 ? `batch ${i + 1}: ${l}` : l))));
          lines.push(q.paused ? 'the queue is paused (lockstep queue resume)' : q.batches.length === 0 ? 'nothing waits in the landing queue' : 'the queue is empty');
          process.stdout.write(lines.join('\n') + '\n');
          if (!q.ok) process.exitCode = 1;
          return;
        }
        if (ids.length === 0) throw new CliError('lockstep land: give task ids, or --queue');
        const r = await schedulerCall(() => openScheduler().land(ids, { atomic: opts.atomic === true, allowOutOfScope: opts.allowOutOfScope === true, onProgress }));
        if (r.ok) {
          if (opts.json) printJson(r);
          else process.stdout.write(resultLines(r).join('\n') + '\n');
          return;
        }
        if (!opts.json) process.stdout.write(resultLines(r).slice(1).map((l) => l + '\n').join(''));
        throw new CliError(r.message, 1, { ...r });
      }),
    );

  const queue = program
    .command('queue')
    .description('show the landing queue: waiting (in landing order), held, verifying, failed (with the reason), landed')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      [
        '',
        'Finished tasks with commits the target lacks wait in dependency, then finishing order.',
        'lockstep land --queue (or the coordinator, with landingQueue.enabled in the plan) lands them in',
        'batches of landingQueue.batchSize: one candidate, one check, one compare-and-swap; a failing',
        'batch is bisected, its culprits marked failed (their agents told through their mailbox) and',
        'the rest lands. A task whose dependency failed is held until it lands.',
      ].join('\n'),
    )
    .action(
      action(async (opts: { json?: boolean }) => {
        const v = await schedulerCall(() => openScheduler().landingQueue());
        if (opts.json) return printJson({ ok: true, ...v });
        const lines = [`landing queue onto ${v.target}: ${v.paused ? 'paused' : 'running'}${v.enabled ? '' : ' (landingQueue.enabled is off: lockstep land --queue runs it)'}; batches of ${v.batchSize}, ${v.parallel} check${v.parallel === 1 ? '' : 's'} at once`];
        if (v.entries.length === 0) lines.push('  nothing in the queue');
        for (const e of v.entries) lines.push(`  ${e.state.padEnd(9)} ${e.id}${e.reason ? `: ${e.reason}` : ''}`);
        process.stdout.write(lines.join('\n') + '\n');
      }),
    );
  for (const [name, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    queue
      .command(name)
      .description(paused ? 'pause the landing queue (a batch under way finishes)' : 'resume the landing queue')
      .option('--json', 'print JSON')
      .action(
        action(async (opts: { json?: boolean }) => {
          const now = await schedulerCall(async () => openScheduler().pauseLandingQueue(paused));
          if (opts.json) return printJson({ ok: true, paused: now });
          process.stdout.write(`the landing queue is ${now ? 'paused' : 'running'}\n`);
        }),
      );
  }

  program
    .command('undo-landing')
    .description("undo the last landing on the plan's target (only when nothing landed since); its tasks go back to finished")
    .option('--rebase-dependents', 'rebase the task branches built on the landing onto the restored target without its commits')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      [
        '',
        "Nothing is deleted: the undone commits stay reachable and the tasks' branches are re-created.",
        'A task branch forked from the target after the landing contains its commits: the undo is refused,',
        'naming those tasks, unless --rebase-dependents, which replays their own commits onto the restored',
        'target (every rebase is tried first; a conflict, or a worktree with uncommitted changes, refuses',
        "the whole undo; the old tips stay in the branches' reflogs).",
        'Exit status: 0 undone, 1 refused (the reason is printed).',
      ].join('\n'),
    )
    .action(
      action(async (opts: { json?: boolean; rebaseDependents?: boolean }) => {
        const r = await schedulerCall(() => openScheduler().undoLanding({ rebaseDependents: opts.rebaseDependents === true }));
        if (!r.ok) throw new CliError(r.message, 1, { ...r });
        if (opts.json) printJson(r);
        else process.stdout.write(r.message + '\n');
      }),
    );

  program
    .command('check-output')
    .description("print the output of a task's last failed landing check")
    .argument('<task>', 'task id')
    .option('--json', 'print JSON')
    .action(
      action(async (id: string, opts: { json?: boolean }) => {
        const r = await schedulerCall(async () => openScheduler().checkOutput(id));
        if (!r.exists) throw new CliError(`no check output is kept for '${id}' (its landing check has not failed)`, 1, { ...r });
        if (opts.json) printJson({ ok: true, ...r });
        else process.stdout.write(r.text.endsWith('\n') ? r.text : r.text + '\n');
      }),
    );
}
