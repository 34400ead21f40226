// Whether Claude Code will start the repository's `.mcp.json` lockstep server, which its mcp_tool
// hooks need: Claude Code 2.1.328 asks once per project (headless `claude -p` runs it without asking)
// and writes the answer to the local settings (.claude/settings.local.json: `enabledMcpjsonServers` /
// `disabledMcpjsonServers`, or `enableAllProjectMcpServers`), which `hooks install` pre-approves
// (claudeMcpPreapproval.ts); the user settings count too, the committed project settings do not.
// Older versions kept the answer in the global config (~/.claude.json, or
// $CLAUDE_CONFIG_DIR/.claude.json) under the project's folder, still read. A server it was told not
// to run leaves every edit blocked (the hook fails closed), which the doctor must say, with the fix.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isObj, parseJsonc, type Json } from './jsoncFile';
import { LOCKSTEP_MCP_SERVER } from './mcpToolHook';

export type McpApproval = 'approved' | 'rejected' | 'pending';

function readJson(file: string): Json | undefined {
  try {
    const data = parseJsonc(file, fs.readFileSync(file, 'utf8'));
    return isObj(data) ? data : undefined;
  } catch {
    return undefined;
  }
}

const names = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** Claude Code's global config file (the one that holds per-project state). */
export function claudeGlobalConfig(env: NodeJS.ProcessEnv, home?: string): string {
  if (home) return path.join(home, '.claude.json');
  return env.CLAUDE_CONFIG_DIR ? path.join(env.CLAUDE_CONFIG_DIR, '.claude.json') : path.join(env.HOME || os.homedir(), '.claude.json');
}

/** What Claude Code decided about the lockstep server of `repoRoot`'s .mcp.json, and where that is written. */
export function claudeMcpApproval(repoRoot: string, env: NodeJS.ProcessEnv = process.env, home?: string): { approval: McpApproval; where: string } {
  const global = claudeGlobalConfig(env, home);
  const projects = readJson(global)?.projects;
  const project = isObj(projects) ? projects[repoRoot] : undefined;
  if (isObj(project)) {
    if (names(project.disabledMcpjsonServers).includes(LOCKSTEP_MCP_SERVER)) return { approval: 'rejected', where: `${global} (disabledMcpjsonServers of ${repoRoot})` };
    if (names(project.enabledMcpjsonServers).includes(LOCKSTEP_MCP_SERVER) || project.enableAllProjectMcpServers === true) return { approval: 'approved', where: global };
  }
  const configDir = home ? path.join(home, '.claude') : env.CLAUDE_CONFIG_DIR || path.join(env.HOME || os.homedir(), '.claude');
  for (const file of [path.join(repoRoot, '.claude', 'settings.local.json'), path.join(configDir, 'settings.json')]) {
    const s = readJson(file);
    if (!s) continue;
    if (names(s.disabledMcpjsonServers).includes(LOCKSTEP_MCP_SERVER)) return { approval: 'rejected', where: `${file} (disabledMcpjsonServers)` };
    if (names(s.enabledMcpjsonServers).includes(LOCKSTEP_MCP_SERVER) || s.enableAllProjectMcpServers === true) return { approval: 'approved', where: file };
  }
  return { approval: 'pending', where: global };
}
