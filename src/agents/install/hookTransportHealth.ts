// `lockstep doctor` on how Claude Code reaches Lockstep for its edit decisions: a command hook
// (a process per event) or an mcp_tool hook served by the `lockstep mcp` server, and whether a
// failure blocks the edit (fails closed) or lets it through. An mcp_tool hook without
// `onFailure: "block"` lets every edit through while the server is down; one whose server is not
// registered blocks every edit.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isObj, parseJsonc, type Json } from './jsoncFile';
import { claudeMcpApproval } from './claudeMcpApproval';
import { mcpToolSupport } from './claudeVersion';
import { isLauncherMcpServer } from './launcher';
import { isLockstepMcpToolHandler, LOCKSTEP_MCP_SERVER } from './mcpToolHook';

export type HookTransportName = 'command' | 'mcp_tool';

export interface TransportHealth {
  transport: HookTransportName;
  failsClosed: boolean;
  failure: string;
  problems: string[];
  notes: string[];
}

/** The lockstep server entry of the repository's .mcp.json, if any. */
function registeredServer(repoRoot: string): Json | undefined {
  const file = path.join(repoRoot, '.mcp.json');
  try {
    const data = parseJsonc(file, fs.readFileSync(file, 'utf8'));
    const servers = isObj(data) ? data.mcpServers : undefined;
    const entry = isObj(servers) ? servers[LOCKSTEP_MCP_SERVER] : undefined;
    return isObj(entry) ? entry : undefined;
  } catch {
    return undefined;
  }
}

/** Absolute paths the server's command line names that are gone (node, dist/cli.js). */
function missingPaths(entry: Json): string[] {
  const words = [entry.command, ...(Array.isArray(entry.args) ? entry.args : [])].filter((w): w is string => typeof w === 'string');
  return words.filter((w) => path.isAbsolute(w) && !fs.existsSync(w));
}

/**
 * Claude Code's Lockstep handlers on PreToolUse (the event that decides edits): their transport and
 * failure mode. `scope` project: the server must be in the repository's .mcp.json.
 */
export function claudeTransportHealth(preToolUse: Json[], scope: 'project' | 'user', repoRoot: string, env: NodeJS.ProcessEnv = process.env, home?: string): TransportHealth {
  const reinstall = 'lockstep hooks install --agent claude --transport mcp';
  const mcp = preToolUse.filter(isLockstepMcpToolHandler);
  if (mcp.length === 0) {
    const closed = preToolUse.length > 0 && preToolUse.every((h) => h.onFailure === 'block');
    return {
      transport: 'command',
      failsClosed: closed,
      failure: closed
        ? 'fails closed: onFailure "block" on PreToolUse, and the launcher exits 2 when Lockstep cannot run'
        : 'fails closed when Lockstep cannot run (exit 2); a hang or a crash lets the edit through (no onFailure "block": run lockstep hooks install --agent claude)',
      problems: [],
      notes: scope === 'project' && mcpToolSupport(env).supported === true ? ['the Claude Code on PATH runs mcp_tool hooks: lockstep hooks install --agent claude answers tool calls through the lockstep MCP server, with no process per event'] : [],
    };
  }
  const problems: string[] = [];
  const notes: string[] = [];
  const back = 'lockstep hooks install --agent claude --transport command';
  const closed = mcp.every((h) => h.onFailure === 'block');
  const support = mcpToolSupport(env);
  if (support.supported === false) problems.push(`${support.detail}: upgrade Claude Code, or go back to command hooks: ${back}`);
  else if (support.supported === undefined) notes.push(support.detail);
  if (!closed) problems.push(`the mcp_tool hook on PreToolUse has no onFailure "block", so every edit goes through unchecked while the lockstep MCP server is down: run ${reinstall}`);
  if (scope === 'project') {
    const entry = registeredServer(repoRoot);
    if (!entry) problems.push(`the mcp_tool hooks call the lockstep MCP server, which ${path.join(repoRoot, '.mcp.json')} does not register, so every edit is blocked: run ${reinstall}`);
    else {
      const gone = missingPaths(entry);
      if (gone.length) problems.push(`the lockstep MCP server's command names ${gone.join(' and ')}, which no longer exist${gone.length === 1 ? 's' : ''}, so every edit is blocked: run ${reinstall}`);
      else if (isLauncherMcpServer(entry)) notes.push('served by the lockstep MCP server (.mcp.json runs the Lockstep the launcher points at)');
      else notes.push(`served by the lockstep MCP server (.mcp.json: ${[entry.command, ...(Array.isArray(entry.args) ? entry.args : [])].join(' ')})`);
      const { approval, where } = claudeMcpApproval(repoRoot, env, home);
      if (approval === 'rejected') problems.push(`Claude Code was told not to run the lockstep MCP server here (${where}), so every edit is blocked: approve it in Claude Code (/mcp), or go back to command hooks: ${back}`);
      else if (approval === 'pending') notes.push(`Claude Code asks once to approve the lockstep MCP server (claude -p runs it without asking); until then every edit is blocked with "MCP server 'lockstep' not connected": ${reinstall} pre-approves it`);
    }
  } else notes.push('the lockstep MCP server for user hooks is yours to register (claude mcp add --scope user lockstep -- lockstep mcp); not checked');
  return {
    transport: 'mcp_tool',
    failsClosed: closed,
    failure: closed
      ? 'fails closed: PreToolUse is an mcp_tool hook with onFailure "block" (the server down, an error or a timeout blocks the edit with the reason)'
      : 'fails OPEN: a failing mcp_tool hook lets the edit through',
    problems,
    notes,
  };
}
