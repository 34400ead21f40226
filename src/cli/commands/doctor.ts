// `lockstep doctor`: check the store and the task worktrees and repair what can be repaired safely; says what it did.
import * as path from 'node:path';
import type { Command } from 'commander';
import { checkInstalledHooks, type HookHealth } from '../../agents/install/hookHealth';
import { runDoctor } from '../../store/storeDoctor';
import { teamStoreReport, type TeamReport } from '../../store/teamDoctor';
import { cleanupLandingLeftovers, type LeftoverCleanup } from '../../git/landingLeftovers';
import { locateRepo } from '../../repoPaths/repoLocator';
import { doctorTaskWorktrees, type WorktreeDoctorReport } from '../../scheduler/worktreeDoctor';
import { action, printJson } from '../commandContext';
import { checkRunningTasks, runningTaskLines } from './doctorTasks';

export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description('check the store (folder, file system, lock, config, state, journal; in team mode the Redis server: connection, version, persistence, clock skew) and the task worktrees, and repair them')
    .option('--check-only', 'report without repairing')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nA damaged lease table (state.a.json, state.b.json) is moved aside (never deleted) and rebuilt from the journal.\nInstalled agent hooks (this repository and your home folder) are checked: each must reach a working Lockstep,\nand the agent must be willing to run it (Codex approval and project trust, Gemini/Copilot trusted folders,\nClaude Code disableAllHooks). Exit status: 0 healthy, 1 not.',
    )
    .action(
      action(async (opts: { json?: boolean; checkOnly?: boolean }) => {
        const location = locateRepo(process.cwd());
        const report = runDoctor(location.commonDir, { repair: !opts.checkOnly });
        // Team mode: the Redis server holding the lease table (connection, version, persistence, clock).
        const team = teamStoreReport(location.commonDir);
        // What an interrupted landing left: temporary check worktrees and refs, checkouts not yet updated.
        const landing: LeftoverCleanup | undefined = opts.checkOnly ? undefined : await cleanupLandingLeftovers(location.worktreeRoot);
        // Task worktrees: records of deleted folders (locked, so git keeps them), half-created ones.
        const worktrees = await doctorTaskWorktrees({ repoDir: location.worktreeRoot, commonDir: location.commonDir, repair: !opts.checkOnly });
        const worktreesOk = worktrees.problems.length === 0 && (!opts.checkOnly || worktrees.actions.length === 0);
        // Tasks marked running whose agent has ended unheard (every running task, leases or not).
        const running = await checkRunningTasks({ repair: !opts.checkOnly });
        // Installed agent hooks: would each run Lockstep, and will the agent run it at all?
        const hooks = checkInstalledHooks({ repoRoot: location.worktreeRoot, mainRoot: mainCheckout(location.commonDir) });
        const hooksOk = hooks.every((h) => h.ok);
        const healthy = report.healthy && (team?.healthy ?? true) && (landing?.problems.length ?? 0) === 0 && worktreesOk && running.ok && hooksOk;
        if (opts.json) printJson({ ok: healthy, ...report, healthy, ...(team ? { team } : {}), ...(landing ? { landing } : {}), worktrees, runningTasks: running, hooks });
        else {
          const lines = [`Lockstep store ${report.dir}`];
          for (const c of report.checks) {
            lines.push(`  ${c.ok ? 'ok     ' : 'PROBLEM'}  ${c.name}: ${c.detail}${c.repaired ? `  -> repaired: ${c.repaired}` : ''}`);
          }
          if (team) lines.push(...teamLines(team));
          if (landing) lines.push(...landingLines(landing));
          lines.push(...worktreeLines(worktrees, worktreesOk, !opts.checkOnly));
          lines.push(...runningTaskLines(running));
          lines.push(...hookLines(hooks));
          lines.push(healthy ? 'healthy' : 'not healthy (see PROBLEM lines)');
          process.stdout.write(lines.join('\n') + '\n');
        }
        if (!healthy) process.exitCode = 1;
      }),
    );
}

function teamLines(t: TeamReport): string[] {
  const lines = [`Team store ${t.store}`];
  for (const c of t.checks) lines.push(`  ${!c.ok ? 'PROBLEM' : c.warning ? 'warning' : 'ok     '}  ${c.name}: ${c.detail}`);
  return lines;
}

function landingLines(l: LeftoverCleanup): string[] {
  if (l.skipped) return [`  ok       landing leftovers: not checked: ${l.skipped}`];
  const done = [
    ...l.removedWorktrees.map((w) => `removed temporary worktree ${w}`),
    ...l.removedRefs.map((r) => `removed temporary ref ${r}`),
    ...l.completedCheckouts.map((c) => `brought the checkout at ${c} up to date with its branch`),
  ];
  const lines = [`  ${l.problems.length ? 'PROBLEM' : 'ok     '}  landing leftovers: ${done.length ? `${done.length} cleaned` : 'none'}${l.problems.length ? `; ${l.problems.join('; ')}` : ''}`];
  for (const d of done) lines.push(`             -> ${d}`);
  return lines;
}

function worktreeLines(w: WorktreeDoctorReport, ok: boolean, repair: boolean): string[] {
  const n = w.actions.length;
  const summary = `${n === 0 ? 'nothing left by a crash' : `${n} ${repair ? 'repaired' : 'to repair'}`}${w.problems.length ? `; ${w.problems.join('; ')}` : ''}`;
  return [`  ${ok ? 'ok     ' : 'PROBLEM'}  task worktrees: ${summary}`, ...w.actions.map((a) => `             -> ${a}`)];
}

/** The main checkout of a repository whose git common dir is `<main>/.git` (undefined for a bare layout). */
function mainCheckout(commonDir: string): string | undefined {
  return path.basename(commonDir) === '.git' ? path.dirname(commonDir) : undefined;
}

function hookLines(hooks: HookHealth[]): string[] {
  if (!hooks.length) return ['  ok       agent hooks: none installed (lockstep hooks install --agent <name>)'];
  const lines: string[] = [];
  for (const h of hooks) {
    lines.push(`  ${h.ok ? 'ok     ' : 'PROBLEM'}  ${h.agent} hooks (${h.scope}) ${h.file}: ${h.transport} hook, ${h.failure}`);
    for (const p of h.problems) lines.push(`             -> ${p}`);
    for (const n of h.notes) lines.push(`             ${n}`);
  }
  return lines;
}
