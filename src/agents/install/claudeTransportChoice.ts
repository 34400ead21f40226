// Which transport `lockstep hooks install --agent claude` gives Claude Code's tool-call hooks when
// --transport is not given: mcp_tool hooks (answered by the `lockstep mcp` server, no process per
// event) where the Claude Code on PATH runs them and the hooks are the repository's, else command
// hooks. An explicit --transport always wins (mcp is still refused where it cannot work). A Claude
// Code that cannot be checked (none on PATH: started by an IDE extension, say) keeps what the
// repository's settings already have, so an install from such a terminal does not flip the committed
// hooks back to command hooks.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { claudeMcpApproval } from './claudeMcpApproval';
import { mcpToolSupport } from './claudeVersion';
import { lockstepHandlers } from './jsonHooks';
import { isObj, parseJsonc } from './jsoncFile';
import { isLockstepMcpToolHandler, type HookTransport } from './mcpToolHook';
import type { HookScope } from './types';

export interface TransportChoice {
  transport: HookTransport;
  /** Why the default fell back to command hooks, for the install's output; undefined when nothing to say. */
  why?: string;
}

/** The default for Claude Code: mcp where it is known to work, else command (with the reason). */
export function defaultClaudeTransport(scope: HookScope, repoRoot: string, env: NodeJS.ProcessEnv = process.env): TransportChoice {
  if (scope !== 'project') return { transport: 'command', why: "user scope: the lockstep MCP server is registered per repository (.mcp.json), so Claude Code's user hooks stay command hooks" };
  const { approval, where } = claudeMcpApproval(repoRoot, env);
  if (approval === 'rejected') return { transport: 'command', why: `Claude Code was told not to run the lockstep MCP server here (${where}); command hooks` };
  const support = mcpToolSupport(env);
  if (support.supported === true) return { transport: 'mcp' };
  const settings = path.join(repoRoot, '.claude', 'settings.json');
  if (support.supported === undefined && hasLockstepMcpToolHooks(settings)) return { transport: 'mcp', why: `${support.detail}; kept the mcp_tool hooks ${settings} already has` };
  return { transport: 'command', why: `${support.detail}; command hooks` };
}

/** Whether a Claude settings file holds Lockstep's mcp_tool hooks. */
export function hasLockstepMcpToolHooks(file: string): boolean {
  try {
    const data = parseJsonc(file, fs.readFileSync(file, 'utf8'));
    return isObj(data) && lockstepHandlers(data, 'grouped').some((h) => isLockstepMcpToolHandler(h.entry));
  } catch {
    return false;
  }
}
