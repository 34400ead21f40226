import type { AgentName } from '../../core/model';

export type HookScope = 'project' | 'user';

export interface HookInstallOptions {
  agent: AgentName;
  scope: HookScope;
  /** The repository's worktree root (project scope). */
  repoRoot: string;
  /** The command line the agent runs (Lockstep's marker is put in front when missing). */
  command: string;
  /** Home folder for user scope (default: os.homedir(); CLAUDE_CONFIG_DIR/CODEX_HOME/COPILOT_HOME apply only when absent). */
  home?: string;
  /** Writes this JSON file instead of the agent's usual one (e.g. Claude's `.claude/settings.local.json`). */
  file?: string;
  /** Environment for CLAUDE_CONFIG_DIR, CODEX_HOME, COPILOT_HOME (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Claude Code only: `mcp` serves the per-tool-call events through the lockstep MCP server (mcp_tool handlers; see mcpToolHook.ts). */
  transport?: 'command' | 'mcp';
}

export interface HookInstallResult {
  /** The configuration file written (for Cline: the hooks folder). */
  file: string;
  changed: boolean;
}
