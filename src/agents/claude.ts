// Claude Code hooks (code.claude.com/docs/en/hooks). Edits arrive as PreToolUse/PostToolUse for
// Edit, Write, MultiEdit (file_path) and NotebookEdit (notebook_path). Subagent payloads carry
// agent_id/agent_type but the parent's session_id, which is the session Lockstep keys on.
// Bash {command} is read for the files the command obviously writes (shellTool.ts).
import * as z from '../core/zod';
import type { Dialect, HookDecision, HookEvent, HookEventKind } from './dialect';
import { claudeStyleAnswer } from './hookOutput';
import { SnakeCaseCommon, ToolCall, check, nonEmptyString, rawEventName, type Payload } from './payloadCheck';
import { isClaudePayload } from './payloadShape';
import { readShellCall } from './shellTool';

/** Claude's file-writing tools and the input field naming the file. */
export const CLAUDE_EDIT_TOOLS: Readonly<Record<string, 'file_path' | 'notebook_path'>> = {
  Edit: 'file_path',
  Write: 'file_path',
  MultiEdit: 'file_path',
  NotebookEdit: 'notebook_path',
};

/** Claude's shell tool. */
export const CLAUDE_SHELL_TOOLS: ReadonlySet<string> = new Set(['Bash']);

/** The tools Lockstep's PreToolUse/PostToolUse hooks are installed for. */
/** Claude Code's sub-agent tool (`Task`, renamed `Agent`): its pre-tool hook is where the spawn cap applies. */
export const CLAUDE_SUBAGENT_TOOLS: ReadonlySet<string> = new Set(['Task', 'Agent']);
export const CLAUDE_HOOK_MATCHER = [...Object.keys(CLAUDE_EDIT_TOOLS), ...CLAUDE_SHELL_TOOLS, ...CLAUDE_SUBAGENT_TOOLS].join('|');

const EVENT_KINDS: Readonly<Record<string, HookEventKind>> = {
  SessionStart: 'session-start',
  SessionEnd: 'session-end',
  UserPromptSubmit: 'prompt',
  Stop: 'stop',
  SubagentStop: 'stop',
};

/** Tool events naming an edit, and what they say happened. PostToolUseFailure and PermissionDenied: the edit did not happen. */
const TOOL_EVENT_KINDS: Readonly<Record<string, HookEventKind>> = {
  PreToolUse: 'pre-edit',
  PostToolUse: 'post-edit',
  PostToolUseFailure: 'edit-failed',
  PermissionDenied: 'edit-failed',
};

/** Events whose hookSpecificOutput accepts additionalContext. */
const CONTEXT_EVENTS = new Set(['SessionStart', 'UserPromptSubmit', 'PostToolUse']);

const Common = SnakeCaseCommon;

function parse(payload: Payload): HookEvent {
  const where = `claude ${rawEventName(payload, 'hook_event_name')}`;
  const base = check(Common, payload, where);
  const event: HookEvent = {
    kind: EVENT_KINDS[base.hook_event_name] ?? 'other',
    agent: 'claude',
    sessionId: base.session_id,
    cwd: base.cwd,
    paths: [],
    transcriptPath: base.transcript_path,
    eventName: base.hook_event_name,
    toolUseId: typeof payload.tool_use_id === 'string' ? payload.tool_use_id : undefined,
    thread: typeof payload.agent_id === 'string' && payload.agent_id ? payload.agent_id : undefined,
  };
  const toolKind = TOOL_EVENT_KINDS[base.hook_event_name];
  if (!toolKind) return event;
  // A failure report without the call's input names no file: nothing to release, nothing to refuse.
  if (toolKind === 'edit-failed' && !ToolCall.safeParse(payload).success) return event;
  const call = check(ToolCall, payload, where);
  event.tool = call.tool_name;
  const pre = base.hook_event_name === 'PreToolUse';
  if (CLAUDE_SHELL_TOOLS.has(call.tool_name)) {
    readShellCall(event, call.tool_input, pre);
    if (event.fromShell) event.kind = toolKind; // a failed or refused command: its leases are released
    return event;
  }
  const field = CLAUDE_EDIT_TOOLS[call.tool_name];
  if (!field) return event; // Read, Grep, unknown tools…: nothing to lease
  const input = check(z.looseObject({ [field]: nonEmptyString }), call.tool_input, where, ['tool_input']);
  event.kind = toolKind;
  event.paths = [input[field] as string];
  return event;
}

export const claudeDialect: Dialect = {
  contextEvents: CONTEXT_EVENTS,
  name: 'claude',
  detect: isClaudePayload,
  parse,
  answer: (event: HookEvent | undefined, decision: HookDecision) => claudeStyleAnswer(event, decision, CONTEXT_EVENTS),
};
