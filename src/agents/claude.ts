// Claude Code hooks (code.claude.com/docs/en/hooks). Edits arrive as PreToolUse/PostToolUse for
// Edit, Write, MultiEdit (file_path) and NotebookEdit (notebook_path). Subagent payloads carry
// agent_id/agent_type but the parent's session_id, which is the session Lockstep keys on.
import { z } from 'zod';
import type { Dialect, HookDecision, HookEvent, HookEventKind } from './dialect';
import { claudeStyleAnswer } from './hookOutput';
import { absolutePath, check, nonEmptyString, rawEventName, type Payload } from './payloadCheck';
import { isClaudePayload } from './payloadShape';

/** Claude's file-writing tools and the input field naming the file. */
export const CLAUDE_EDIT_TOOLS: Readonly<Record<string, 'file_path' | 'notebook_path'>> = {
  Edit: 'file_path',
  Write: 'file_path',
  MultiEdit: 'file_path',
  NotebookEdit: 'notebook_path',
};

const EVENT_KINDS: Readonly<Record<string, HookEventKind>> = {
  SessionStart: 'session-start',
  SessionEnd: 'session-end',
  UserPromptSubmit: 'prompt',
  Stop: 'stop',
};

/** Events whose hookSpecificOutput accepts additionalContext. */
const CONTEXT_EVENTS = new Set(['SessionStart', 'UserPromptSubmit', 'PostToolUse']);

const Common = z
  .object({
    session_id: nonEmptyString,
    cwd: absolutePath,
    hook_event_name: nonEmptyString,
    transcript_path: z.string().optional(),
  })
  .passthrough();

const ToolCall = z.object({ tool_name: nonEmptyString, tool_input: z.object({}).passthrough() }).passthrough();

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
  };
  if (base.hook_event_name !== 'PreToolUse' && base.hook_event_name !== 'PostToolUse') return event;
  const call = check(ToolCall, payload, where);
  event.tool = call.tool_name;
  const field = CLAUDE_EDIT_TOOLS[call.tool_name];
  if (!field) return event; // Bash, Read, Grep…: shell writes are caught from git status instead
  const input = check(z.object({ [field]: nonEmptyString }).passthrough(), call.tool_input, where, ['tool_input']);
  event.kind = base.hook_event_name === 'PreToolUse' ? 'pre-edit' : 'post-edit';
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
