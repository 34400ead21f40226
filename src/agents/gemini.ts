// Gemini CLI hooks (google-gemini/gemini-cli docs/hooks/reference.md): BeforeTool/AfterTool with
// the built-in write tools write_file {file_path, content} and replace {file_path, old_string,
// new_string} (EDIT_TOOL_NAMES in packages/core/src/tools/tool-names.ts), and run_shell_command
// {command, dir_path} whose obvious writes are edits too (shellTool.ts). Deny: {"decision":"deny"}.
import * as z from '../core/zod';
import type { Dialect, HookDecision, HookEvent, HookEventKind } from './dialect';
import { NO_OUTPUT, denyReason, joinNotes, jsonAnswer, notesOf } from './hookOutput';
import { SnakeCaseCommon, ToolCall, check, nonEmptyString, rawEventName, type Payload } from './payloadCheck';
import { isGeminiPayload } from './payloadShape';
import { readShellCall } from './shellTool';

export const GEMINI_EDIT_TOOLS = new Set(['write_file', 'replace']);
export const GEMINI_SHELL_TOOLS: ReadonlySet<string> = new Set(['run_shell_command']);

/** The tools Lockstep's BeforeTool/AfterTool hooks are installed for. */
/** Gemini CLI's sub-agent tool (`invoke_agent`; `delegate_to_agent` before 0.61): where the spawn cap applies. */
export const GEMINI_SUBAGENT_TOOLS: ReadonlySet<string> = new Set(['invoke_agent', 'delegate_to_agent']);
export const GEMINI_HOOK_MATCHER = [...GEMINI_EDIT_TOOLS, ...GEMINI_SHELL_TOOLS, ...GEMINI_SUBAGENT_TOOLS].join('|');

const EVENT_KINDS: Readonly<Record<string, HookEventKind>> = {
  SessionStart: 'session-start',
  SessionEnd: 'session-end',
  BeforeAgent: 'prompt',
  AfterAgent: 'stop',
};

/** Events whose hookSpecificOutput.additionalContext reaches the model. */
const CONTEXT_EVENTS = new Set(['SessionStart', 'BeforeAgent', 'AfterTool']);

const Common = SnakeCaseCommon;
const FileInput = z.looseObject({ file_path: nonEmptyString });

function parse(payload: Payload): HookEvent {
  const where = `gemini ${rawEventName(payload, 'hook_event_name')}`;
  const base = check(Common, payload, where);
  const event: HookEvent = {
    kind: EVENT_KINDS[base.hook_event_name] ?? 'other',
    agent: 'gemini',
    sessionId: base.session_id,
    cwd: base.cwd,
    paths: [],
    transcriptPath: base.transcript_path,
    eventName: base.hook_event_name,
  };
  if (base.hook_event_name !== 'BeforeTool' && base.hook_event_name !== 'AfterTool') return event;
  const call = check(ToolCall, payload, where);
  event.tool = call.tool_name;
  const pre = base.hook_event_name === 'BeforeTool';
  if (GEMINI_SHELL_TOOLS.has(call.tool_name)) {
    readShellCall(event, call.tool_input, pre, { workdir: ['dir_path', 'directory'] });
    return event;
  }
  if (!GEMINI_EDIT_TOOLS.has(call.tool_name)) return event;
  const input = check(FileInput, call.tool_input, where, ['tool_input']);
  event.kind = pre ? 'pre-edit' : 'post-edit';
  event.paths = [input.file_path];
  return event;
}

function answer(event: HookEvent | undefined, decision: HookDecision) {
  const eventName = event?.eventName ?? 'BeforeTool';
  if (decision.kind === 'deny' && eventName === 'BeforeTool') return jsonAnswer({ decision: 'deny', reason: denyReason(decision.reason) });
  const { context, warning } = notesOf(decision);
  const body: Record<string, unknown> = {};
  const contextFits = !!context && CONTEXT_EVENTS.has(eventName);
  if (contextFits) body.hookSpecificOutput = { hookEventName: eventName, additionalContext: context };
  const message = joinNotes(warning, contextFits ? undefined : context);
  if (message) body.systemMessage = message;
  // Gemini parses stdout as JSON on exit 0: an empty object says "no opinion".
  return Object.keys(body).length ? jsonAnswer(body) : { ...NO_OUTPUT, stdout: '{}\n' };
}

export const geminiDialect: Dialect = { name: 'gemini', detect: isGeminiPayload, parse, answer, contextEvents: CONTEXT_EVENTS };
