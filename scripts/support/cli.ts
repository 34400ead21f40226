// Runs the built `lockstep` CLI (dist/cli.js) as a real process, for the demos and tests. Tests call ensureBuilt() once.
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
export const CLI = path.join(PROJECT_ROOT, 'dist', 'cli.js');

let built = false;
/** Builds dist/ once per test process unless LOCKSTEP_SKIP_BUILD=1 (the test script builds first). */
export function ensureBuilt(): void {
  if (built) return;
  if (process.env.LOCKSTEP_SKIP_BUILD !== '1' || !fs.existsSync(CLI)) {
    execFileSync(process.execPath, [path.join(PROJECT_ROOT, 'esbuild.mjs')], { cwd: PROJECT_ROOT, stdio: 'inherit' });
  }
  built = true;
}

export function runCli(args: string[], opts: { cwd: string; input?: string; env?: NodeJS.ProcessEnv }): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [CLI, ...args], {
    cwd: opts.cwd,
    input: opts.input ?? '',
    encoding: 'utf8',
    env: { ...process.env, ...opts.env },
  });
}
