// `lockstep plan validate [--file F] [--json]`: checks `.lockstep/plan.yaml` (or F) and prints every
// problem on its own line as `file:line: field: message`. Exit 0 valid, 1 invalid. Changes nothing.
// `lockstep plan schema`: the format as a JSON Schema. The format is documented in docs/plan.md.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_PLAN_FILE, formatIssue, tryParsePlan, type PlanIssue } from '../../core/planFile';
import { locateRepo, RepoError } from '../../repoPaths/repoLocator';
import { action, printJson } from '../commandContext';
import { plural } from '../../core/plural';
import { planJsonSchema } from '../../core/planSchema';

export function register(program: Command): void {
  const plan = program
    .command('plan')
    .description('the plan file (.lockstep/plan.yaml)')
    .addHelpText(
      'after',
      '\nThe format (every field with its type and default, agent templates, what an agent gets, what ends a\n' +
        'task, what opens a phase, landing) is documented in docs/plan.md of the Lockstep package;\n' +
        '`lockstep plan schema` prints it as a JSON Schema for editors.',
    );
  plan
    .command('schema')
    .description('print the JSON Schema of the plan format (generated from the schema lockstep plan validate uses)')
    .addHelpText(
      'after',
      [
        '',
        'For editors using yaml-language-server: save it beside the plan and name it on the plan\'s first line:',
        '  lockstep plan schema > .lockstep/plan.schema.json',
        '  # yaml-language-server: $schema=plan.schema.json',
        'The schema checks fields and types; rules across tasks (unique ids, dependencies, cycles) are',
        'checked by lockstep plan validate.',
      ].join('\n'),
    )
    .action(
      action(() => {
        process.stdout.write(JSON.stringify(planJsonSchema(), null, 2) + '\n');
      }),
    );
  plan
    .command('validate')
    .description('check the plan file; prints one problem per line as file:line: field: message')
    .option('--file <file>', `plan file (default: ${DEFAULT_PLAN_FILE} at the repository root)`)
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExit status: 0 valid, 1 invalid or unreadable.')
    .action(
      action((opts: { file?: string; json?: boolean }) => {
        let repoRoot: string | undefined;
        try {
          repoRoot = locateRepo(process.cwd()).worktreeRoot;
        } catch (e) {
          if (!(e instanceof RepoError)) throw e;
        }
        const file = opts.file !== undefined ? path.resolve(opts.file) : path.join(repoRoot ?? process.cwd(), DEFAULT_PLAN_FILE);
        const shown = opts.file ?? (repoRoot ? DEFAULT_PLAN_FILE : file);
        let issues: PlanIssue[];
        let tasks = 0;
        let phases = 0;
        let text: string | undefined;
        try {
          text = fs.readFileSync(file, 'utf8');
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          issues = [{ file: shown, line: 0, field: '', message: code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? (e as Error).message})` }];
        }
        if (text !== undefined) {
          const r = tryParsePlan(text, { file: shown, ...(repoRoot ? { repoRoot } : {}) });
          issues = r.ok ? [] : r.issues;
          if (r.ok) {
            tasks = r.plan.tasks.length;
            phases = new Set(r.plan.tasks.map((t) => t.phase)).size;
          }
        }
        const valid = issues!.length === 0;
        if (opts.json) printJson({ ok: valid, valid, file, tasks, phases, issues: issues!.map((i) => ({ ...i, text: formatIssue(i) })) });
        else if (valid) process.stdout.write(`${shown}: valid (${plural(tasks, 'task')} in ${plural(phases, 'phase')})\n`);
        else process.stderr.write(issues!.map(formatIssue).join('\n') + '\n');
        if (!valid) process.exitCode = 1;
      }),
    );
}
