// Pre-approves the lockstep server of the repository's .mcp.json for Claude Code, so a new interactive
// session starts it (and so runs its mcp_tool hooks) without asking first. Claude Code 2.1.328 asks
// once per project ("New MCP server found in this project: lockstep"); until the user answers, the
// mcp_tool hooks, which fail closed, block every edit. Its answer "Use this MCP server" is written as
// `enabledMcpjsonServers: ["lockstep"]` in `.claude/settings.local.json` (the user's own settings for
// this checkout); Lockstep writes that same entry, merged into what is there. Claude Code does not
// take the approval from the committed `.claude/settings.json` (a repository cannot approve its own
// servers). A server the user rejected (disabledMcpjsonServers) stays rejected: the install then keeps
// command hooks. Seen with the real Claude Code in test/realAgents/claudeMcpHooks.real.test.ts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HookInstallError } from './installError';
import { edit, loadJsonc, saveJsonc } from './jsoncFile';
import { LOCKSTEP_MCP_SERVER } from './mcpToolHook';

const KEY = 'enabledMcpjsonServers';

export function claudeLocalSettingsPath(repoRoot: string): string {
  return path.join(repoRoot, '.claude', 'settings.local.json');
}

function approvedList(file: string, data: Record<string, unknown>): unknown[] | undefined {
  const list = data[KEY];
  if (list !== undefined && !Array.isArray(list)) throw new HookInstallError(`${file}: "${KEY}" must be an array; nothing was changed`);
  return list;
}

/** Throws (one line) when the local settings file cannot take the approval, before anything is written. */
export function checkPreapprovable(repoRoot: string): void {
  const file = claudeLocalSettingsPath(repoRoot);
  approvedList(file, loadJsonc(file).data);
}

/** Adds `lockstep` to the local settings' approved .mcp.json servers (once; other settings stay as they are). */
export function preapproveLockstepServer(repoRoot: string): { file: string; changed: boolean } {
  const file = claudeLocalSettingsPath(repoRoot);
  const { doc, data } = loadJsonc(file);
  const list = approvedList(file, data);
  if (list?.includes(LOCKSTEP_MCP_SERVER)) return { file, changed: false };
  if (list) edit(doc, [KEY, list.length], LOCKSTEP_MCP_SERVER, true);
  else edit(doc, [KEY], [LOCKSTEP_MCP_SERVER]);
  return { file, changed: saveJsonc(doc) };
}

/** Removes exactly the `lockstep` approval (the key when it empties, the file when nothing else is left). */
export function withdrawLockstepPreapproval(repoRoot: string): { file: string; changed: boolean } {
  const file = claudeLocalSettingsPath(repoRoot);
  if (!fs.existsSync(file)) return { file, changed: false };
  const { doc, data } = loadJsonc(file);
  const list = data[KEY];
  const at = Array.isArray(list) ? list.indexOf(LOCKSTEP_MCP_SERVER) : -1;
  if (at < 0) return { file, changed: false };
  edit(doc, (list as unknown[]).length === 1 ? [KEY] : [KEY, at], undefined);
  if (doc.text.replace(/\s+/g, '') === '{}') {
    fs.rmSync(doc.target);
    return { file, changed: true };
  }
  return { file, changed: saveJsonc(doc) };
}
