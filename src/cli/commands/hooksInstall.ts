// `lockstep hooks install --agent <name> [--scope project|user]`: writes the agent's hook
// configuration so every edit asks Lockstep first.
import * as path from 'node:path';
import type { Command } from 'commander';
import { defaultHookCommand } from '../../agents/hookCommand';
import { installHooks } from '../../agents/hookInstall';
import { registerMcpServer, unregisterMcpServer } from '../../agents/mcpRegistration';
import { AgentName, HOOK_AGENT_NAMES } from '../../core/model';
import { locateRepo } from '../../git/repoLocator';
import { action, CliError, printJson } from '../commandContext';

/** `lockstep` when it is on PATH, else this very CLI by absolute path (so the hook works without a global install). */
export function hookCommandForCli(agent: AgentName, env: NodeJS.ProcessEnv = process.env): string {
  return defaultHookCommand(agent, path.join(__dirname, 'cli.js'), env);
}

/** `lockstep mcp` when `lockstep` is on PATH, else this runtime and this very CLI by absolute path. */
function mcpServerCommandForCli(): { command: string; args: string[] } {
  const onPath = defaultHookCommand('claude', path.join(__dirname, 'cli.js')).startsWith('lockstep ');
  return onPath ? { command: 'lockstep', args: ['mcp'] } : { command: process.execPath, args: [path.join(__dirname, 'cli.js'), 'mcp'] };
}

export function registerHooksCommand(program: Command): void {
  const hooks = program.command('hooks').description("manage agents' hook configuration");
  hooks
    .command('install')
    .description("install Lockstep's hook into an agent's configuration")
    .requiredOption('--agent <name>', `agent: ${HOOK_AGENT_NAMES.join(', ')}`)
    .option('--scope <scope>', 'project (this repository) or user (your home folder)', 'project')
    .option('--command <command>', 'command line the agent runs (default: lockstep hook --agent <name>)')
    .option('--mcp', "also register the `lockstep mcp` server in the agent's MCP configuration")
    .option('--json', 'print JSON')
    .action(
      action((opts: { agent: string; scope: string; command?: string; mcp?: boolean; json?: boolean }) => {
        const agent = AgentName.safeParse(opts.agent);
        if (!agent.success || !(HOOK_AGENT_NAMES as readonly string[]).includes(agent.data)) throw new CliError(`--agent '${opts.agent}': expected one of ${HOOK_AGENT_NAMES.join(', ')}`);
        if (opts.scope !== 'project' && opts.scope !== 'user') throw new CliError(`--scope '${opts.scope}': expected project or user`);
        const repoRoot = locateRepo(process.cwd()).worktreeRoot;
        const command = opts.command ?? hookCommandForCli(agent.data);
        const r = installHooks({ agent: agent.data, scope: opts.scope, repoRoot, command });
        const mcp = opts.mcp ? registerMcpServer({ agent: agent.data, scope: opts.scope, repoRoot, server: mcpServerCommandForCli() }) : undefined;
        if (opts.json) printJson({ ok: true, agent: agent.data, scope: opts.scope, command, ...r, ...(mcp?.file ? { mcp } : {}) });
        else {
          process.stdout.write(`${r.changed ? 'installed' : 'already installed'}: ${r.file}\n  command: ${command}\n`);
          if (mcp?.file) process.stdout.write(`${mcp.changed ? 'registered' : 'already registered'} the lockstep MCP server: ${mcp.file}\n`);
        }
      }),
    );
  hooks
    .command('remove-mcp')
    .description('remove the lockstep MCP server from an agent\'s MCP configuration (other servers stay)')
    .requiredOption('--agent <name>', `agent: ${HOOK_AGENT_NAMES.join(', ')}`)
    .option('--scope <scope>', 'project or user', 'project')
    .action(
      action((opts: { agent: string; scope: string }) => {
        const agent = AgentName.safeParse(opts.agent);
        if (!agent.success || !(HOOK_AGENT_NAMES as readonly string[]).includes(agent.data)) throw new CliError(`--agent '${opts.agent}': expected one of ${HOOK_AGENT_NAMES.join(', ')}`);
        if (opts.scope !== 'project' && opts.scope !== 'user') throw new CliError(`--scope '${opts.scope}': expected project or user`);
        const r = unregisterMcpServer({ agent: agent.data, scope: opts.scope, repoRoot: locateRepo(process.cwd()).worktreeRoot });
        process.stdout.write(r.changed ? `removed the lockstep MCP server from ${r.file}\n` : 'no lockstep MCP server registered there\n');
      }),
    );
}
