// `lockstep doctor`: check the store and repair what can be repaired safely; says what it did.
import type { Command } from 'commander';
import { runDoctor } from '../../store/storeDoctor';
import { locateRepo } from '../../git/repoLocator';
import { action, printJson } from '../commandContext';

export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description('check the store (folder, file system, lock, config, state, journal) and repair it')
    .option('--check-only', 'report without repairing')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nA bad state.json is moved aside (never deleted) and rebuilt from the journal. Exit status: 0 healthy, 1 not.')
    .action(
      action((opts: { json?: boolean; checkOnly?: boolean }) => {
        const location = locateRepo(process.cwd());
        const report = runDoctor(location.commonDir, { repair: !opts.checkOnly });
        if (opts.json) printJson({ ok: report.healthy, ...report });
        else {
          const lines = [`Lockstep store ${report.dir}`];
          for (const c of report.checks) {
            lines.push(`  ${c.ok ? 'ok     ' : 'PROBLEM'}  ${c.name}: ${c.detail}${c.repaired ? `  -> repaired: ${c.repaired}` : ''}`);
          }
          lines.push(report.healthy ? 'healthy' : 'not healthy (see PROBLEM lines)');
          process.stdout.write(lines.join('\n') + '\n');
        }
        if (!report.healthy) process.exitCode = 1;
      }),
    );
}
