// Entry of dist/commands.js: every human-facing `lockstep` command (commander). The hook has its own
// bundle (hookMain.ts) so agents' tool calls never load this.
import { Command, CommanderError } from 'commander';
import { registerClaimCommand } from './commands/claim';
import { registerConfigCommand } from './commands/config';
import { registerDoctorCommand } from './commands/doctor';
import { registerHooksCommand } from './commands/hooksInstall';
import { registerJournalCommand } from './commands/journal';
import { registerMemoryCommands } from './commands/memory';
import { registerReleaseCommand } from './commands/release';
import { registerRenewCommand } from './commands/renew';
import { registerStatusCommand } from './commands/status';
import { register as registerPlanCommand } from './commands/plan';
import { register as registerRunCommand } from './commands/run';
import { register as registerTaskCommand } from './commands/task';
import { register as registerMatrixCommand } from './commands/matrix';
import { register as registerLandCommand } from './commands/land';

export function buildProgram(): Command {
  const program = new Command('lockstep')
    .description('File leases, conflict awareness and atomic landing for swarms of AI coding agents on one git repository.')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  program.command('hook').description('answer an agent hook call (reads the payload on stdin; see lockstep hook --help)');
  program.command('serve').description('run the coordinator server (started by the VS Code extension)');
  registerClaimCommand(program);
  registerReleaseCommand(program);
  registerRenewCommand(program);
  registerStatusCommand(program);
  registerDoctorCommand(program);
  registerHooksCommand(program);
  registerJournalCommand(program);
  registerConfigCommand(program);
  registerPlanCommand(program);
  registerTaskCommand(program);
  registerRunCommand(program);
  registerMatrixCommand(program);
  registerLandCommand(program);
  registerMemoryCommands(program);
  return program;
}

async function main(): Promise<void> {
  try {
    await buildProgram().parseAsync(process.argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander already printed its one-line message (or the help text).
      process.exitCode = e.exitCode === 0 ? 0 : 1;
      return;
    }
    process.stderr.write(`lockstep: ${(e as Error).message.split('\n')[0]}\n`);
    process.exitCode = 1;
  }
}

void main();
