// `lockstep hooks install|uninstall --agent <name> [--scope project|user]`: writes (or removes exactly)
// Lockstep's entries in the agent's hook configuration. The default command runs the launcher
// (~/.lockstep/bin/lockstep-hook), which this command points at this very CLI.
import * as path from 'node:path';
import type { Command } from 'commander';
import { agentTrustProblems } from '../../agents/install/agentTrust';
import { lockstepHandlers } from '../../agents/install/jsonHooks';
import { isObj, parseJsonc } from '../../agents/install/jsoncFile';
import { ensureLauncher, launcherHookCommand, launcherMcpServer } from '../../agents/install/launcher';
import { hookPlanFor, installHooks, uninstallHooks, type HookScope } from '../../agents/hookInstall';
import { registerMcpServer, unregisterMcpServer } from '../../agents/mcpRegistration';
import { claudeMcpApproval } from '../../agents/install/claudeMcpApproval';
import { mcpToolSupport } from '../../agents/install/claudeVersion';
import { claudeSettingsPath } from '../../agents/install/claude';
import { checkPreapprovable, withdrawLockstepPreapproval } from '../../agents/install/claudeMcpPreapproval';
import { setUpClaudeMcpServer } from '../../agents/install/claudeMcpSetup';
import { defaultClaudeTransport, hasLockstepMcpToolHooks, type TransportChoice } from '../../agents/install/claudeTransportChoice';
import { HOOK_TRANSPORTS } from '../../agents/install/mcpToolHook';
import { defaultHookCommand } from '../../agents/hookCommand';
import { AgentName, HOOK_AGENT_NAMES } from '../../core/model';
import { excludePattern, removeExclude } from '../../git/infoExclude';
import { locateRepo } from '../../repoPaths/repoLocator';
import { action, CliError, printJson, recordWritesFor } from '../commandContext';
import * as fs from 'node:fs';

function parseAgentScope(opts: { agent: string; scope: string }): { agent: AgentName; scope: HookScope } {
  const agent = AgentName.safeParse(opts.agent);
  if (!agent.success || !(HOOK_AGENT_NAMES as readonly string[]).includes(agent.data)) throw new CliError(`--agent '${opts.agent}': expected one of ${HOOK_AGENT_NAMES.join(', ')}`);
  if (opts.scope !== 'project' && opts.scope !== 'user') throw new CliError(`--scope '${opts.scope}': expected project or user`);
  return { agent: agent.data, scope: opts.scope };
}

/** What keeps the agent from running the hooks just installed (trust, approval, a policy), one line each. */
function trustNotes(agent: AgentName, scope: HookScope, repoRoot: string, file: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const data = parseJsonc(file, text);
  const plan = hookPlanFor({ agent, scope, repoRoot, command: 'lockstep' });
  const handlers = isObj(data) && plan.kind === 'json' ? lockstepHandlers(data, plan.layout) : [];
  return agentTrustProblems({ agent, scope, repoRoot, file, handlers });
}

/** `lockstep mcp` when `lockstep` is on PATH, else this runtime and this very CLI by absolute path. */
function mcpServerCommandForCli(): { command: string; args: string[] } {
  const onPath = defaultHookCommand('claude', path.join(__dirname, 'cli.js')).startsWith('lockstep ');
  return onPath ? { command: 'lockstep', args: ['mcp'] } : { command: process.execPath, args: [path.join(__dirname, 'cli.js'), 'mcp'] };
}

/**
 * --transport: an explicit value wins (mcp only where the agent's hooks can call an MCP tool, Claude
 * Code, and only where Lockstep registers its server); without it, Claude Code gets mcp_tool hooks
 * where the claude on PATH runs them (claudeTransportChoice.ts), every other agent command hooks.
 */
function chooseTransport(value: string | undefined, agent: AgentName, scope: HookScope, repoRoot: string): TransportChoice {
  if (value === undefined) return agent === 'claude' ? defaultClaudeTransport(scope, repoRoot) : { transport: 'command' };
  if (!(HOOK_TRANSPORTS as readonly string[]).includes(value)) throw new CliError(`--transport '${value}': expected ${HOOK_TRANSPORTS.join(' or ')}`);
  if (value !== 'mcp') return { transport: 'command' };
  if (agent !== 'claude') throw new CliError(`--transport mcp: only Claude Code's hooks can call an MCP tool; ${agent} keeps command hooks (omit --transport)`);
  if (scope !== 'project') throw new CliError("--transport mcp: Lockstep registers its MCP server for Claude Code in the repository's .mcp.json; use --scope project");
  // A Claude Code too old for mcp_tool hooks would run no edit check at all: refuse, change nothing.
  const support = mcpToolSupport();
  if (support.supported === false) throw new CliError(`--transport mcp: ${support.detail}; upgrade it, or use command hooks (--transport command); nothing was changed`);
  return { transport: 'mcp' };
}

/** What keeps Claude Code's mcp_tool hooks from reaching the lockstep server (its version, its approval). */
function mcpNotes(repoRoot: string): string[] {
  const out: string[] = [];
  const support = mcpToolSupport();
  if (support.supported === undefined) out.push(support.detail);
  const { approval, where } = claudeMcpApproval(repoRoot);
  if (approval === 'rejected') out.push(`Claude Code was told not to run the lockstep MCP server here (${where}): every edit is blocked until you approve it (/mcp in Claude Code), or use command hooks (--transport command)`);
  if (approval === 'pending') out.push('Claude Code asks once to approve the lockstep MCP server (.mcp.json); until you approve it, every edit is blocked with that reason');
  return out;
}

export function registerHooksCommand(program: Command): void {
  const hooks = program.command('hooks').description("manage agents' hook configuration");
  hooks
    .command('install')
    .description("install Lockstep's hook into an agent's configuration")
    .requiredOption('--agent <name>', `agent: ${HOOK_AGENT_NAMES.join(', ')}`)
    .option('--scope <scope>', 'project (this repository) or user (your home folder)', 'project')
    .option('--command <command>', "command line the agent runs (default: Lockstep's launcher, ~/.lockstep/bin/lockstep-hook)")
    .option('--mcp', "also register the `lockstep mcp` server in the agent's MCP configuration")
    .option('--transport <transport>', 'command (a process per hook event) or mcp (Claude Code: tool-call events answered by the lockstep MCP server; registers and pre-approves it). Default: mcp for Claude Code 2.1.328+ on PATH (project scope), else command')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
The default command names no machine-specific path, so a committed settings file works on every
clone: it runs \${LOCKSTEP_HOME:-~/.lockstep}/bin/lockstep-hook, which this command points at this
Lockstep. When Lockstep cannot be found the hook exits 2 (the edit is blocked, with the reason),
unless LOCKSTEP_FAIL_OPEN=1 or \`lockstep config --fail-open on\`.
Codex runs hooks only after you approve them (/hooks in codex), project hooks only in a trusted
project; Gemini CLI and Copilot CLI read repository hooks only in a trusted folder. The install
says what is missing; \`lockstep doctor\` checks it again.
Claude Code (project scope) gets mcp_tool hooks by default when the claude on PATH is 2.1.328 or
newer: the tool-call and prompt events are answered by the \`lockstep mcp\` server Claude Code runs
for the session (no process per event), with "onFailure": "block", so a server that is down blocks
the edit and says why. The install registers the server in .mcp.json and pre-approves it in
.claude/settings.local.json (enabledMcpjsonServers), so Claude Code does not stop to ask. Session
start and end keep the command hook. Without such a claude on PATH, or with --transport command, all
hooks are command hooks (PreToolUse with "onFailure": "block"). \`lockstep doctor\` says which.`,
    )
    .action(
      action(async (opts: { agent: string; scope: string; command?: string; mcp?: boolean; transport?: string; json?: boolean }) => {
        const { agent, scope } = parseAgentScope(opts);
        const loc = locateRepo(process.cwd());
        const repoRoot = loc.worktreeRoot;
        const { transport, why } = chooseTransport(opts.transport, agent, scope, repoRoot);
        // Claude Code's answer about the server is the user's: a rejection is never overridden.
        const preapprove = transport === 'mcp' && claudeMcpApproval(repoRoot).approval !== 'rejected';
        if (preapprove) checkPreapprovable(repoRoot); // a malformed local settings file: refuse before writing anything
        const command = opts.command ?? launcherHookCommand(agent);
        const launcher = opts.command === undefined ? ensureLauncher({ cliJs: path.join(__dirname, 'cli.js'), owner: 'cli' }) : undefined;
        const r = installHooks({ agent, scope, repoRoot, command, transport });
        // Claude Code's server is named by the launcher's pointer, so a committed .mcp.json works on every clone.
        if ((transport === 'mcp' || opts.mcp) && agent === 'claude' && !launcher) ensureLauncher({ cliJs: path.join(__dirname, 'cli.js'), owner: 'cli' });
        let mcp: ReturnType<typeof registerMcpServer> | undefined;
        let approval: { file: string; changed: boolean } | undefined;
        if (transport === 'mcp') ({ mcp, approval } = await setUpClaudeMcpServer(repoRoot, loc.commonDir));
        else if (opts.mcp) mcp = registerMcpServer({ agent, scope, repoRoot, server: agent === 'claude' ? launcherMcpServer() : mcpServerCommandForCli() });
        const notes = [...trustNotes(agent, scope, repoRoot, r.file), ...(transport === 'mcp' ? mcpNotes(repoRoot) : [])];
        // What Lockstep wrote into the repository is the edit of whoever asked for it, not an unleased one
        // (the local pre-approval is git-ignored: never an unleased edit, nothing to record).
        const written = [r.changed ? r.file : undefined, mcp?.changed ? mcp.file : undefined].filter((f): f is string => f !== undefined);
        const unrecorded = written.length > 0 ? recordWritesFor(written) : undefined;
        if (unrecorded) notes.push(unrecorded);
        if (opts.json) printJson({ ok: true, agent, scope, transport, ...(why ? { transportNote: why } : {}), command, ...r, ...(launcher ? { launcher: launcher.launcher } : {}), notes, ...(mcp?.file ? { mcp } : {}), ...(approval ? { preapproval: approval } : {}) });
        else {
          const lines = [`${r.changed ? 'installed' : 'already installed'}: ${r.file}`];
          if (transport === 'mcp') lines.push(`  tool calls and prompts: mcp_tool hooks served by the lockstep MCP server (they block when it is not running)${why ? `; ${why}` : ''}`);
          else if (why) lines.push(`  tool calls: command hooks (${why})`);
          if (launcher) lines.push(`  runs: ${launcher.launcher} -> ${path.join(__dirname, 'cli.js')}`);
          else lines.push(`  command: ${command}`);
          for (const n of notes) lines.push(`  note: ${n}`);
          if (mcp?.file) lines.push(`${mcp.changed ? 'registered' : 'already registered'} the lockstep MCP server: ${mcp.file}`);
          if (approval?.changed) lines.push(`pre-approved the lockstep MCP server for Claude Code: ${approval.file}`);
          process.stdout.write(lines.join('\n') + '\n');
        }
      }),
    );
  hooks
    .command('uninstall')
    .description("remove exactly Lockstep's hooks from an agent's configuration (other hooks and settings stay)")
    .requiredOption('--agent <name>', `agent: ${HOOK_AGENT_NAMES.join(', ')}`)
    .option('--scope <scope>', 'project (this repository) or user (your home folder)', 'project')
    .option('--json', 'print JSON')
    .action(
      action((opts: { agent: string; scope: string; json?: boolean }) => {
        const { agent, scope } = parseAgentScope(opts);
        const loc = locateRepo(process.cwd());
        const repoRoot = loc.worktreeRoot;
        // mcp_tool hooks came with the server's registration and pre-approval: those go with them.
        const hadMcpTool = agent === 'claude' && scope === 'project' && hasLockstepMcpToolHooks(claudeSettingsPath({ agent, scope, repoRoot, command: 'lockstep' }));
        const r = uninstallHooks({ agent, scope, repoRoot, command: launcherHookCommand(agent) });
        const mcp = hadMcpTool ? unregisterMcpServer({ agent, scope, repoRoot }) : undefined;
        const approval = hadMcpTool ? withdrawLockstepPreapproval(repoRoot) : undefined;
        if (approval?.changed) removeExclude(loc.commonDir, excludePattern(repoRoot, approval.file));
        if (opts.json) printJson({ ok: true, agent, scope, ...r, ...(mcp?.changed ? { mcp } : {}), ...(approval?.changed ? { preapproval: approval } : {}) });
        else {
          const lines = [`${r.changed ? 'removed Lockstep hooks from' : 'no Lockstep hooks in'}: ${r.file}`];
          if (mcp?.changed) lines.push(`removed the lockstep MCP server from ${mcp.file}`);
          if (approval?.changed) lines.push(`removed the lockstep MCP server's pre-approval from ${approval.file}`);
          process.stdout.write(lines.join('\n') + '\n');
        }
      }),
    );
  hooks
    .command('remove-mcp')
    .description("remove the lockstep MCP server from an agent's MCP configuration (other servers stay)")
    .requiredOption('--agent <name>', `agent: ${HOOK_AGENT_NAMES.join(', ')}`)
    .option('--scope <scope>', 'project or user', 'project')
    .action(
      action((opts: { agent: string; scope: string }) => {
        const { agent, scope } = parseAgentScope(opts);
        const loc = locateRepo(process.cwd());
        const repoRoot = loc.worktreeRoot;
        const r = unregisterMcpServer({ agent, scope, repoRoot });
        // An approval of a server that is no longer registered is Lockstep's to take back too.
        const approval = agent === 'claude' && scope === 'project' ? withdrawLockstepPreapproval(repoRoot) : undefined;
        if (approval?.changed) removeExclude(loc.commonDir, excludePattern(repoRoot, approval.file));
        const lines = [r.changed ? `removed the lockstep MCP server from ${r.file}` : 'no lockstep MCP server registered there'];
        if (approval?.changed) lines.push(`removed the lockstep MCP server's pre-approval from ${approval.file}`);
        process.stdout.write(lines.join('\n') + '\n');
      }),
    );
}
