// Claude Code's `mcp_tool` hook handlers (Claude Code 2.1.328): instead of starting `lockstep hook`
// per event, Claude Code calls the `hook_decide` tool of the `lockstep mcp` server it already runs
// for the session. The handler passes only its `input` map, each `${field}` filled from the hook
// input (objects as JSON text, missing fields as ""); the tool's text is read as the hook's output.
//
// On PreToolUse (the event that decides edits, shell writes and sub-agent caps) the handler carries
// `onFailure: "block"`: every failure (server not connected or not approved, error, timeout, garbage)
// blocks the tool call and tells the model why. The other events only record and deliver; their
// failure must not block the user's prompt or the session, so they say `onFailure: "continue"`
// (explicitly: nothing Lockstep installs fails open by default without saying so).
//
// Why no command hook beside the mcp_tool handler as a runtime fallback (tried, and measured with
// test/bench/mcpToolHook.bench.ts, setting "mcp+sh"): Claude Code runs the handlers of one event in
// parallel and waits for all of them, so even a command hook that exits at once costs each tool-call
// event a shell start inside Claude Code where the mcp_tool decision alone takes a few ms; the gate
// cannot know whether the server answers *this* call, so a server that hangs or dies mid-call would
// let the edit through (onFailure "continue") or both would decide; and a Claude Code that does not
// know `mcp_tool` rejects that hook (older ones skip a settings file with errors whole), so a
// fallback written beside it is no safer than none. The fallback is chosen where it can be known:
// `lockstep hooks install --agent claude` gives mcp_tool hooks only where the claude on PATH runs them
// (claudeTransportChoice.ts) and pre-approves the server (claudeMcpPreapproval.ts); `--transport mcp`
// refuses a Claude Code on PATH too old for them (claudeVersion.ts); `lockstep doctor` names that and
// a lockstep server Claude Code was told not to run (claudeMcpApproval.ts), with the command that goes
// back to command hooks.
//
// Events with no MCP client context (SessionStart, SessionEnd) or whose block stops nothing (Stop,
// SubagentStop) keep the command hook: those run once per session or turn, not per tool call.
import type { Json } from './jsoncFile';

/** The `lockstep mcp` server's name in the agent's MCP configuration (mcpRegistration.ts). */
export const LOCKSTEP_MCP_SERVER = 'lockstep';
export const HOOK_DECIDE_TOOL = 'hook_decide';

/** The hook input fields forwarded to the tool (see src/cli/hookDecideTool.ts). */
export const HOOK_DECIDE_FIELDS = [
  'hook_event_name',
  'session_id',
  'transcript_path',
  'cwd',
  'permission_mode',
  'tool_name',
  'tool_input',
  'tool_use_id',
  'agent_id',
  'agent_type',
] as const;

/** Claude Code events Lockstep serves through mcp_tool handlers (the per-tool-call ones). */
export const MCP_TOOL_EVENTS: ReadonlySet<string> = new Set(['PreToolUse', 'PostToolUse', 'PostToolUseFailure', 'PermissionDenied', 'UserPromptSubmit']);

export type HookTransport = 'command' | 'mcp';
export const HOOK_TRANSPORTS: readonly HookTransport[] = ['command', 'mcp'];

/** The handler Claude Code runs through the lockstep MCP server; `blocking` (onFailure block) for the event that decides edits. */
export function claudeMcpToolHandler(timeoutS: number, blocking: boolean): Json {
  const input: Json = { agent: 'claude' };
  for (const f of HOOK_DECIDE_FIELDS) input[f] = `\${${f}}`;
  const handler: Json = { type: 'mcp_tool', server: LOCKSTEP_MCP_SERVER, tool: HOOK_DECIDE_TOOL, input, timeout: timeoutS };
  handler.onFailure = blocking ? 'block' : 'continue';
  return handler;
}

/** True for an mcp_tool handler calling Lockstep's hook tool (one Lockstep wrote). */
export function isLockstepMcpToolHandler(h: unknown): boolean {
  if (typeof h !== 'object' || h === null || Array.isArray(h)) return false;
  const o = h as Record<string, unknown>;
  return o.type === 'mcp_tool' && o.server === LOCKSTEP_MCP_SERVER && o.tool === HOOK_DECIDE_TOOL;
}

/** How a doctor line names an mcp_tool handler. */
export const MCP_TOOL_HANDLER_NAME = `mcp_tool ${LOCKSTEP_MCP_SERVER}/${HOOK_DECIDE_TOOL}`;
