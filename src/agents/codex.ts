// OpenAI Codex CLI hooks (developers.openai.com/codex/hooks): Claude's shape plus turn_id and model.
// File edits arrive as tool_name "apply_patch" with the patch text in tool_input.command; shell
// commands as "Bash" {command} (every shell tool is presented so; older builds: shell with an argv
// array, exec_command…). A shell command's obvious writes, apply_patch heredocs included, are
// edits too (shellTool.ts). The hook leases every file or none.
import * as z from '../core/zod';
import { patchPaths } from './applyPatch';
import type { Dialect, HookDecision, HookEvent, HookEventKind } from './dialect';
import { HookInputError } from './dialect';
import { claudeStyleAnswer } from './hookOutput';
import { ToolCall, absolutePath, check, nonEmptyString, rawEventName, type Payload } from './payloadCheck';
import { isCodexPayload } from './payloadShape';
import { readShellCall } from './shellTool';

/** Tool names Codex has used for its shell; they are 'other' unless they carry a patch. */
export const CODEX_SHELL_TOOLS = new Set(['Bash', 'shell', 'container.exec', 'local_shell', 'exec_command', 'unified_exec', 'shell_command']);

/** The tools Lockstep's PreToolUse/PostToolUse hooks are installed for: patches, and the shell patches also arrive through. */
export const CODEX_HOOK_MATCHER = 'apply_patch|Bash';

const EVENT_KINDS: Readonly<Record<string, HookEventKind>> = {
  SessionStart: 'session-start',
  SessionEnd: 'session-end',
  UserPromptSubmit: 'prompt',
  Stop: 'stop',
};

/** Codex rejects unknown output fields; these events accept hookSpecificOutput.additionalContext. */
const CONTEXT_EVENTS = new Set(['PreToolUse', 'PostToolUse', 'SessionStart', 'UserPromptSubmit']);

const Common = z.looseObject({
  session_id: nonEmptyString,
  cwd: absolutePath,
  hook_event_name: nonEmptyString,
  transcript_path: z.optional(z.nullable(z.string())),
  turn_id: z.optional(z.string()),
});


function parse(payload: Payload): HookEvent {
  const eventName = rawEventName(payload, 'hook_event_name');
  const where = `codex ${eventName}`;
  const base = check(Common, payload, where);
  const event: HookEvent = {
    kind: EVENT_KINDS[base.hook_event_name] ?? 'other',
    agent: 'codex',
    sessionId: base.session_id,
    cwd: base.cwd,
    paths: [],
    transcriptPath: base.transcript_path ?? undefined,
    eventName: base.hook_event_name,
  };
  if (base.hook_event_name !== 'PreToolUse' && base.hook_event_name !== 'PostToolUse') return event;
  const call = check(ToolCall, payload, where);
  event.tool = call.tool_name;
  const editKind = base.hook_event_name === 'PreToolUse' ? 'pre-edit' : 'post-edit';
  if (call.tool_name === 'apply_patch') {
    const input = check(z.looseObject({ command: z.string() }), call.tool_input, where, ['tool_input']);
    const paths = patchPaths(input.command);
    if (paths.length === 0) throw new HookInputError(`${where}: tool_input.command names no file (no '*** Add/Update/Delete File:' line)`);
    event.kind = editKind;
    event.paths = paths;
    return event;
  }
  if (CODEX_SHELL_TOOLS.has(call.tool_name)) readShellCall(event, call.tool_input, editKind === 'pre-edit', { workdir: ['workdir'] });
  return event;
}

export const codexDialect: Dialect = {
  contextEvents: CONTEXT_EVENTS,
  name: 'codex',
  detect: isCodexPayload,
  parse,
  answer: (event: HookEvent | undefined, decision: HookDecision) => claudeStyleAnswer(event, decision, CONTEXT_EVENTS),
};
