// Claude Code: `.claude/settings.json` (project), `~/.claude/settings.json` (user; CLAUDE_CONFIG_DIR).
// Timeouts are in seconds. PreToolUse decides edits, so it fails closed: `onFailure: "block"` (Claude
// Code 2.1.328+ accepts it on command hooks) with a short timeout, so a crash, garbage or a hang
// blocks the edit and tells the model why, where without it every failure lets the edit through.
import * as path from 'node:path';
import type { Json } from './jsoncFile';
import type { JsonPlan } from './jsonHooks';
import { HOOK_MATCHERS } from './matchers';
import { claudeMcpToolHandler, MCP_TOOL_EVENTS, type HookTransport } from './mcpToolHook';
import type { HookInstallOptions } from './types';
import { claudeConfigDir } from './userDirs';

// PostToolUseFailure and PermissionDenied say an edit did not happen; Stop and SubagentStop end a
// thread's turn: both release a lease granted for an edit that never came (src/cli/unconfirmedLeases.ts).
export const CLAUDE_EVENTS = ['PreToolUse', 'PostToolUse', 'PostToolUseFailure', 'PermissionDenied', 'SessionStart', 'SessionEnd', 'UserPromptSubmit', 'Stop', 'SubagentStop'] as const;
const EDIT_EVENTS: readonly string[] = ['PreToolUse', 'PostToolUse', 'PostToolUseFailure', 'PermissionDenied'];
/** Seconds Claude Code waits for a blocking hook before `onFailure` blocks the edit. */
export const CLAUDE_BLOCKING_TIMEOUT_S = 15;
/** Seconds for the hooks that only report (a busy store may take a few seconds). */
export const CLAUDE_TIMEOUT_S = 30;

/** The handler of one event: a command hook, or (transport mcp, a per-tool-call event) the mcp_tool hook (mcpToolHook.ts). */
export function claudeHandler(command: string, event: string, transport: HookTransport = 'command'): Json {
  if (transport === 'mcp' && MCP_TOOL_EVENTS.has(event)) {
    const blocking = event === 'PreToolUse';
    return claudeMcpToolHandler(blocking ? CLAUDE_BLOCKING_TIMEOUT_S : CLAUDE_TIMEOUT_S, blocking);
  }
  if (event === 'PreToolUse') return { type: 'command', command, timeout: CLAUDE_BLOCKING_TIMEOUT_S, onFailure: 'block' };
  return { type: 'command', command, timeout: CLAUDE_TIMEOUT_S };
}

/**
 * The asyncRewake Stop hook (Claude Code 2.1.328+): runs in the background after each turn and wakes
 * the idle session when a message arrives (src/cli/hookWake.ts). Its timeout outlasts the wait.
 */
export const CLAUDE_WAKE_TIMEOUT_S = 6 * 3600 + 60;
export function claudeWakeHandler(command: string): Json {
  return { type: 'command', command: `${command} --wake`, asyncRewake: true, timeout: CLAUDE_WAKE_TIMEOUT_S };
}

export function claudeSettingsPath(opts: HookInstallOptions): string {
  if (opts.scope === 'project') return path.join(opts.repoRoot, '.claude', 'settings.json');
  return path.join(claudeConfigDir(opts), 'settings.json');
}

export function claudePlan(opts: HookInstallOptions, file = claudeSettingsPath(opts)): JsonPlan {
  const matcher = (e: string) => (EDIT_EVENTS.includes(e) ? HOOK_MATCHERS.claude : undefined);
  return {
    kind: 'json',
    file,
    layout: 'grouped',
    header: {},
    registrations: CLAUDE_EVENTS.map((event) => {
      const m = matcher(event);
      const hook = claudeHandler(opts.command, event, opts.transport);
      const hooks = event === 'Stop' ? [hook, claudeWakeHandler(opts.command)] : [hook];
      return { event, entry: m ? { matcher: m, hooks } : { hooks } };
    }),
    ownFile: false,
  };
}
