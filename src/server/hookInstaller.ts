// `lockstep/installHooks`: writes an agent's hook configuration (agents/hookInstall.ts) with a
// command that runs this installation's CLI.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultHookCommand } from '../agents/hookCommand';
import { installHooks } from '../agents/hookInstall';
import type { AgentName } from '../core/model';
import type { InstallHooksResult } from '../protocol/coordinatorMethods';

/** `lockstep hook …` when `lockstep` is on PATH, else this runtime (node or Electron) + this installation's dist/cli.js. */
export function hookCommandFor(agent: AgentName, env: NodeJS.ProcessEnv): string {
  // Bundled: dist/server.js sits next to dist/cli.js. From sources (tests): <root>/dist/cli.js.
  const besides = path.join(__dirname, 'cli.js');
  const cli = fs.existsSync(besides) ? besides : path.resolve(__dirname, '..', '..', 'dist', 'cli.js');
  return defaultHookCommand(agent, cli, env);
}

export async function installHooksFor(agent: AgentName, scope: 'project' | 'user', repoRoot: string, env: NodeJS.ProcessEnv): Promise<InstallHooksResult> {
  if (agent === 'human') throw new Error("agent 'human' has no hooks");
  const command = hookCommandFor(agent, env);
  const r = installHooks({ agent, scope, repoRoot, command });
  return { text: `${r.changed ? 'installed' : 'already installed'}: ${r.file} (command: ${command})`, files: r.changed ? [r.file] : [] };
}
