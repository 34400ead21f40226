// `lockstep/installHooks`: writes an agent's hook configuration (agents/hookInstall.ts) with the
// launcher command (agents/install/launcher.ts), and points the launcher at this installation's CLI.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { installHooks } from '../agents/hookInstall';
import { agentTrustProblems } from '../agents/install/agentTrust';
import { lockstepHandlers } from '../agents/install/jsonHooks';
import { isObj, parseJsonc } from '../agents/install/jsoncFile';
import { ensureLauncher, launcherHookCommand } from '../agents/install/launcher';
import { hookPlanFor } from '../agents/hookInstall';
import type { AgentName } from '../core/model';
import type { InstallHooksResult } from '../protocol/coordinatorMethods';

/** This installation's dist/cli.js: beside the bundled server, or <project>/dist/cli.js from sources (tests). */
export function installedCliJs(): string {
  const besides = path.join(__dirname, 'cli.js');
  return fs.existsSync(besides) ? besides : path.resolve(__dirname, '..', '..', 'dist', 'cli.js');
}

export async function installHooksFor(agent: AgentName, scope: 'project' | 'user', repoRoot: string, env: NodeJS.ProcessEnv): Promise<InstallHooksResult> {
  if (agent === 'human') throw new Error("agent 'human' has no hooks");
  const launcher = ensureLauncher({ cliJs: installedCliJs(), owner: 'extension', env });
  const r = installHooks({ agent, scope, repoRoot, command: launcherHookCommand(agent), env });
  const plan = hookPlanFor({ agent, scope, repoRoot, command: 'lockstep', env });
  let notes: string[] = [];
  if (plan.kind === 'json') {
    try {
      const data = parseJsonc(r.file, fs.readFileSync(r.file, 'utf8'));
      notes = agentTrustProblems({ agent, scope, repoRoot, file: r.file, handlers: isObj(data) ? lockstepHandlers(data, plan.layout) : [], env });
    } catch {
      /* the install itself succeeded; the doctor reports what it cannot read */
    }
  }
  const text = [`${r.changed ? 'installed' : 'already installed'}: ${r.file} (runs ${launcher.launcher})`, ...notes].join('. ');
  return { text, files: r.changed ? [r.file] : [] };
}
