// Where this installation's `lockstep` CLI lives, so agents launched by the scheduler (and their hooks)
// run the same Lockstep as the scheduler: its folder (dist/) goes first on PATH, a `lockstep` shim there
// when the package has none, and hooks call `node <dist>/cli.js hook` by absolute path.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cliCommandLine, currentNodeRuntime, hookCommandLine, type NodeRuntime } from '../agents/hookCommand';
import type { AgentName } from '../core/model';

/** dist/ of this installation: beside the running bundle, or <project>/dist when running from sources. */
export function lockstepDistDir(): string {
  if (fs.existsSync(path.join(__dirname, 'cli.js'))) return __dirname;
  return path.resolve(__dirname, '..', '..', 'dist');
}

/** The hook command an agent's configuration runs: this node and this dist/cli.js, by absolute path. */
export function hookCommand(agent: AgentName, distDir = lockstepDistDir(), runtime: NodeRuntime = currentNodeRuntime()): string {
  return hookCommandLine(agent, path.join(distDir, 'cli.js'), runtime);
}

/**
 * A folder holding an executable `lockstep` that runs this installation (`<common>/lockstep/bin`), for
 * agents that call `lockstep …` by name. Rewritten only when its content would change.
 */
export function ensureLockstepShim(storeDir: string, distDir = lockstepDistDir(), runtime: NodeRuntime = currentNodeRuntime()): string | undefined {
  if (process.platform === 'win32') return undefined;
  const dir = path.join(storeDir, 'bin');
  const file = path.join(dir, 'lockstep');
  const text = `#!/bin/sh\nexec ${cliCommandLine(path.join(distDir, 'cli.js'), runtime)} "$@"\n`;
  try {
    if (fs.readFileSync(file, 'utf8') === text) return dir;
  } catch {
    /* absent */
  }
  fs.mkdirSync(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text, { mode: 0o755 });
  fs.renameSync(tmp, file);
  return dir;
}
