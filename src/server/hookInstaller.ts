// `lockstep/installHooks`: writes an agent's hook configuration (agents/hookInstall.ts) with the
// launcher command (agents/install/launcher.ts), and points the launcher at this installation's CLI.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { installHooks } from '../agents/hookInstall';
import { checkPreapprovable } from '../agents/install/claudeMcpPreapproval';
import { setUpClaudeMcpServer } from '../agents/install/claudeMcpSetup';
import { defaultClaudeTransport } from '../agents/install/claudeTransportChoice';
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

/**
 * Installs `agent`'s hooks as `lockstep hooks install` does with no --transport: for Claude Code, mcp_tool
 * hooks (its server registered and pre-approved) where the claude on PATH runs them, or where the
 * repository already has them and no claude can be checked; command hooks otherwise.
 */
export async function installHooksFor(agent: AgentName, scope: 'project' | 'user', repoRoot: string, commonDir: string, env: NodeJS.ProcessEnv): Promise<InstallHooksResult> {
  if (agent === 'human') throw new Error("agent 'human' has no hooks");
  const launcher = ensureLauncher({ cliJs: installedCliJs(), owner: 'extension', env });
  const choice = agent === 'claude' ? defaultClaudeTransport(scope, repoRoot, env) : { transport: 'command' as const };
  if (choice.transport === 'mcp') checkPreapprovable(repoRoot); // a malformed local settings file: refuse before writing anything
  const r = installHooks({ agent, scope, repoRoot, command: launcherHookCommand(agent), env, transport: choice.transport });
  const setup = choice.transport === 'mcp' ? await setUpClaudeMcpServer(repoRoot, commonDir, env) : undefined;
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
  const how =
    choice.transport === 'mcp'
      ? `tool calls answered by the lockstep MCP server Claude Code runs (mcp_tool hooks${setup?.approval ? ', pre-approved' : ''})`
      : choice.why
        ? `command hooks: ${choice.why}`
        : undefined;
  const text = [`${r.changed ? 'installed' : 'already installed'}: ${r.file} (runs ${launcher.launcher})`, ...(how ? [how] : []), ...notes].join('. ');
  const files = [r.changed ? r.file : undefined, setup?.mcp.changed ? setup.mcp.file : undefined, setup?.approval?.changed ? setup.approval.file : undefined];
  return { text, files: files.filter((f): f is string => f !== undefined) };
}
