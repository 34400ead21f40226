// `lockstep doctor`'s view of the installed hooks: for every agent and scope, the file that holds
// Lockstep's hooks, whether its command would reach a working Lockstep (the launcher is run with
// LOCKSTEP_HOOK_PROBE=1; a command pinned to a node or dist/cli.js that is gone fails open in most
// agents), whether the agent will run it at all (agentTrust.ts), and how the hooks fail.
// Only command lines Lockstep itself generates are probed: a repository's settings can hold anything,
// and the doctor never runs a command it did not write.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HOOK_AGENT_NAMES, type AgentName } from '../../core/model';
import { hookPlanFor } from '../hookInstall';
import { agentTrustProblems } from './agentTrust';
import { clineScriptCommand } from './cline';
import { HookInstallError } from './installError';
import { lockstepHandlers } from './jsonHooks';
import { isObj, parseJsonc } from './jsoncFile';
import { launcherHookCommand, probeLauncher, type LauncherProbe } from './launcher';
import { HOOK_MARKER } from './marker';
import { MCP_TOOL_HANDLER_NAME } from './mcpToolHook';
import { claudeTransportHealth, type HookTransportName } from './hookTransportHealth';
import type { HookScope } from './types';

export interface HookHealth {
  agent: AgentName;
  scope: HookScope;
  file: string;
  /** How the agent reaches Lockstep for edit decisions: a command hook (process per event), or Claude Code's mcp_tool hook (the lockstep MCP server). */
  transport: HookTransportName;
  /** Whether every failure of Lockstep (cannot run, crash, hang) blocks the edit. */
  failsClosed: boolean;
  /** How a failure of Lockstep treats the edit, in words. */
  failure: string;
  ok: boolean;
  /** One line each, with the step that fixes it. */
  problems: string[];
  /** Worth knowing, not wrong. */
  notes: string[];
}

export interface HookHealthOptions {
  repoRoot: string;
  mainRoot?: string;
  home?: string;
  env?: NodeJS.ProcessEnv;
  /** Agents to check (default: all with a hook system). */
  agents?: readonly AgentName[];
}

/** Agents where some failure of the hook (a timeout, another exit code) lets the edit through. */
const FAILS_OPEN_SOMETIMES: ReadonlySet<AgentName> = new Set(['codex', 'copilot']);

/** How each agent treats a failing Lockstep hook. */
const FAILURE: Partial<Record<AgentName, string>> = {
  claude: 'fails closed: onFailure "block" on PreToolUse, and the launcher exits 2 when Lockstep cannot run',
  codex: 'fails closed when Lockstep cannot run (exit 2); a hook timeout lets the edit through',
  gemini: 'fails closed when Lockstep cannot run (exit 2)',
  copilot: 'fails closed when Lockstep cannot run (the launcher prints a denial with the reason, which Copilot shows the model); other hook failures let the edit through',
  vscode: 'fails closed when Lockstep cannot run (exit 2)',
  cursor: 'fails closed when Lockstep cannot run (exit 2)',
  windsurf: 'fails closed when Lockstep cannot run (exit 2)',
  cline: 'fails closed: Cline blocks on any non-zero exit',
};

const LEGACY_PINNED = /^(?:env ELECTRON_RUN_AS_NODE=1 )?('(?:[^']|'\\'')*'|\S+) ('(?:[^']|'\\'')*'|\S+) hook --agent (\w+)$/;
const unquote = (w: string) => (w.startsWith("'") ? w.slice(1, -1).replace(/'\\''/g, "'") : w);

function onPath(name: string, env: NodeJS.ProcessEnv): boolean {
  return (env.PATH ?? '').split(path.delimiter).some((dir) => {
    try {
      fs.accessSync(path.join(dir, name), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Problems and notes about one installed command line. */
function commandHealth(installed: string, agent: AgentName, opts: HookHealthOptions, probes: Map<string, LauncherProbe>): { problems: string[]; notes: string[] } {
  // Claude Code's asyncRewake Stop hook is the same command with --wake (install/claude.ts): checked as that command.
  const command = installed.replace(/ --wake$/, '');
  const env = opts.env ?? process.env;
  const reinstall = `lockstep hooks install --agent ${agent}`;
  const launcherAgent = /lockstep-hook --agent (\w+)$/.exec(command)?.[1] as AgentName | undefined;
  if (launcherAgent && command === launcherHookCommand(launcherAgent)) {
    let probe = probes.get(launcherAgent);
    if (!probe) probes.set(launcherAgent, (probe = probeLauncher(launcherAgent, env, opts.home)));
    return probe.ok ? { problems: [], notes: [`launcher ${probe.detail}`] } : { problems: [`the hook would not run Lockstep: ${probe.detail}`], notes: [] };
  }
  const bare = command.startsWith(HOOK_MARKER) ? command.slice(HOOK_MARKER.length) : command;
  if (/^lockstep hook --agent \w+$/.test(bare)) {
    return onPath('lockstep', env) ? { problems: [], notes: ['runs `lockstep` from PATH'] } : { problems: [`the hook runs \`lockstep\`, which is not on PATH, so it exits 127 and the agent lets every edit through: run ${reinstall}`], notes: [] };
  }
  const pinned = LEGACY_PINNED.exec(bare);
  if (pinned && /\/dist\/cli\.js$/.test(unquote(pinned[2]!))) {
    const gone = [unquote(pinned[1]!), unquote(pinned[2]!)].filter((p) => !fs.existsSync(p));
    if (gone.length) return { problems: [`the hook names ${gone.join(' and ')}, which no longer exist${gone.length === 1 ? 's' : ''}, so it fails and the agent lets every edit through: run ${reinstall}`], notes: [] };
    return { problems: [], notes: [`pinned to ${unquote(pinned[2]!)}: it breaks when Lockstep or node moves; run ${reinstall} to use the launcher`] };
  }
  return { problems: [], notes: ['a custom command (not checked)'] };
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The files (and, for script hooks, folders) checkInstalledHooks reads: a watcher that sees one of
 * them change knows the answer may have changed (hooks installed from a terminal, say).
 */
export function hookConfigFiles(opts: HookHealthOptions): string[] {
  const files = new Set<string>();
  for (const agent of opts.agents ?? HOOK_AGENT_NAMES) {
    for (const scope of ['project', 'user'] as const) {
      try {
        const plan = hookPlanFor({ agent, scope, repoRoot: opts.repoRoot, command: 'lockstep', home: opts.home, env: opts.env });
        files.add(plan.kind === 'json' ? plan.file : plan.dir);
      } catch (e) {
        if (!(e instanceof HookInstallError)) throw e;
      }
    }
  }
  files.add(path.join(opts.repoRoot, '.claude', 'settings.local.json'));
  files.add(path.join(opts.repoRoot, '.mcp.json'));
  return [...files];
}

/** Every installed Lockstep hook configuration in the repository and the user's home, checked. */
export function checkInstalledHooks(opts: HookHealthOptions): HookHealth[] {
  const out: HookHealth[] = [];
  const probes = new Map<string, LauncherProbe>();
  const seen = new Set<string>();
  for (const agent of opts.agents ?? HOOK_AGENT_NAMES) {
    for (const scope of ['project', 'user'] as const) {
      let plan;
      try {
        plan = hookPlanFor({ agent, scope, repoRoot: opts.repoRoot, command: 'lockstep', home: opts.home, env: opts.env });
      } catch (e) {
        if (e instanceof HookInstallError) continue;
        throw e;
      }
      const files = plan.kind === 'json' ? [plan.file] : [plan.dir];
      if (agent === 'claude' && scope === 'project') files.push(path.join(opts.repoRoot, '.claude', 'settings.local.json'));
      for (const file of files) {
        // VS Code shares Copilot's .github/hooks file and Claude's user settings: report each file once.
        const key = `${file}`;
        if (seen.has(key)) continue;
        let handlers: Array<{ event: string; group: number; handler: number; command: string; entry?: Record<string, unknown> }> = [];
        const problems: string[] = [];
        if (plan.kind === 'scripts') {
          for (const event of plan.events) {
            const cmd = clineScriptCommand(readText(path.join(file, event)) ?? '');
            if (cmd) handlers.push({ event, group: 0, handler: 0, command: cmd });
          }
        } else {
          const text = readText(file);
          if (text === undefined) continue;
          try {
            const data = parseJsonc(file, text);
            if (isObj(data)) handlers = lockstepHandlers(data, plan.layout);
          } catch (e) {
            if (text.includes('hook')) problems.push((e as Error).message.replace(/; fix it by hand, nothing was changed$/, '; the agent cannot read it either'));
          }
        }
        if (!handlers.length && !problems.length) continue;
        seen.add(key);
        const owner = file.endsWith(`${path.sep}lockstep.json`) && agent === 'vscode' ? 'copilot' : agent;
        const notes: string[] = [];
        for (const command of [...new Set(handlers.map((h) => h.command.replace(/ --wake$/, '')))].filter((c) => c !== MCP_TOOL_HANDLER_NAME)) {
          const c = commandHealth(command, owner, opts, probes);
          problems.push(...c.problems);
          notes.push(...c.notes);
        }
        // Installed by an older Lockstep: events added since (e.g. Copilot CLI's userPromptSubmitted,
        // Cursor's postToolUse) carry no hook, so decisions and messages are not delivered there.
        if (plan.kind === 'json' && handlers.length > 0) {
          const have = new Set(handlers.map((h) => h.event));
          const missing = [...new Set(plan.registrations.map((r) => r.event))].filter((e) => !have.has(e));
          if (missing.length) notes.push(`no Lockstep hook on ${missing.join(', ')} (installed by an older Lockstep): run lockstep hooks install --agent ${owner} to add ${missing.length === 1 ? 'it' : 'them'}`);
        }
        problems.push(...agentTrustProblems({ agent: owner, scope, repoRoot: opts.repoRoot, mainRoot: opts.mainRoot, file, handlers, home: opts.home, env: opts.env }));
        let transport: HookTransportName = 'command';
        let failsClosed = !FAILS_OPEN_SOMETIMES.has(owner);
        let failure = FAILURE[owner] ?? 'fails closed when Lockstep cannot run (exit 2)';
        if (owner === 'claude') {
          const t = claudeTransportHealth(handlers.filter((h) => h.event === 'PreToolUse' && h.entry).map((h) => h.entry!), scope, opts.repoRoot, opts.env ?? process.env, opts.home);
          ({ transport, failsClosed, failure } = t);
          problems.push(...t.problems);
          notes.push(...t.notes);
        }
        out.push({ agent: owner, scope, file, transport, failsClosed, failure, ok: problems.length === 0, problems, notes });
      }
    }
  }
  return out;
}
