// Cursor hooks (cursor.com/docs/hooks): `.cursor/hooks.json` with camelCase events. Common stdin:
// hook_event_name, conversation_id (the session), generation_id, workspace_roots[]. Edits arrive
// as preToolUse for the agent's write tools (Write, Edit, Delete…) and afterwards as afterFileEdit
// {file_path, edits[]}. Shell commands arrive as beforeShellExecution/afterShellExecution {command,
// cwd} (and preToolUse of `Shell`), read for the files they obviously write (shellTool.ts).
// Deny: {"permission":"deny","user_message","agent_message"}; "allow" would skip the user's
// approval, so a grant prints an empty object.
import * as z from '../core/zod';
import type { Dialect, HookDecision, HookEvent, HookEventKind, ParseOptions } from './dialect';
import { HookInputError } from './dialect';
import { denyReason, joinNotes, jsonAnswer, notesOf } from './hookOutput';
import { absolutePath, check, nonEmptyString, rawEventName, type Payload } from './payloadCheck';
import { isCursorPayload } from './payloadShape';
import { readShellCall } from './shellTool';

/** Cursor agent tools that write the file named in their input. */
export const CURSOR_EDIT_TOOLS = new Set(['Write', 'Edit', 'MultiEdit', 'Delete', 'StrReplace', 'edit_file', 'search_replace', 'write', 'delete_file']);
const PATH_FIELDS = ['file_path', 'path', 'target_file', 'filePath'] as const;
/** The agent's shell tool, when it arrives as preToolUse/postToolUse. */
export const CURSOR_SHELL_TOOLS: ReadonlySet<string> = new Set(['Shell', 'run_terminal_cmd']);
/** Shell events, with whether they come before the command runs. */
const SHELL_EVENTS: Readonly<Record<string, boolean>> = { beforeShellExecution: true, afterShellExecution: false };

const EVENT_KINDS: Readonly<Record<string, HookEventKind>> = {
  afterFileEdit: 'post-edit',
  sessionStart: 'session-start',
  sessionEnd: 'session-end',
  beforeSubmitPrompt: 'prompt',
  stop: 'stop',
};

/** Events that can veto: a deny answers {permission:"deny"} there and only there. */
const PERMISSION_EVENTS = new Set(['preToolUse', 'beforeShellExecution', 'beforeMCPExecution', 'beforeReadFile']);
/**
 * Events whose `additional_context` reaches the model (cursor.com/docs/hooks: sessionStart's is added
 * to the conversation's start, postToolUse's after the tool's result; afterFileEdit and
 * beforeSubmitPrompt take none). Not run here: Cursor has no headless CLI in the test harness.
 */
const CONTEXT_EVENTS = new Set(['sessionStart', 'postToolUse']);

const Common = z.looseObject({
  hook_event_name: nonEmptyString,
  conversation_id: z.optional(nonEmptyString),
  session_id: z.optional(nonEmptyString),
  workspace_roots: z.optional(z.array(z.string())),
  cwd: z.optional(absolutePath),
  transcript_path: z.optional(z.nullable(z.string())),
});

function toolInputOf(raw: unknown, where: string): Record<string, unknown> {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      throw new HookInputError(`${where}: tool_input must be a JSON object (a string that is not JSON)`);
    }
  }
  return check(z.looseObject({}), value, where, ['tool_input']);
}

function parse(payload: Payload, opts: ParseOptions = {}): HookEvent {
  const where = `cursor ${rawEventName(payload, 'hook_event_name')}`;
  const base = check(Common, payload, where);
  const sessionId = base.conversation_id ?? base.session_id;
  if (!sessionId) throw new HookInputError(`${where}: conversation_id must be a string (missing)`);
  const root = base.workspace_roots?.[0];
  const cwd = base.cwd ?? (root ? check(absolutePath, root, where, ['workspace_roots', 0]) : opts.cwd);
  if (!cwd) throw new HookInputError(`${where}: workspace_roots must name the workspace (missing)`);
  const event: HookEvent = {
    kind: EVENT_KINDS[base.hook_event_name] ?? 'other',
    agent: 'cursor',
    sessionId,
    cwd,
    paths: [],
    transcriptPath: base.transcript_path ?? undefined,
    eventName: base.hook_event_name,
  };
  if (base.hook_event_name === 'afterFileEdit') {
    event.paths = [check(nonEmptyString, payload.file_path, where, ['file_path'])];
    event.tool = 'afterFileEdit';
    return event;
  }
  if (base.hook_event_name in SHELL_EVENTS) {
    event.tool = 'shell';
    readShellCall(event, payload, SHELL_EVENTS[base.hook_event_name]!);
    return event;
  }
  if (base.hook_event_name !== 'preToolUse' && base.hook_event_name !== 'postToolUse') return event;
  const tool = check(nonEmptyString, payload.tool_name, where, ['tool_name']);
  event.tool = tool;
  if (CURSOR_SHELL_TOOLS.has(tool)) {
    let input: unknown = payload.tool_input;
    try {
      if (typeof input === 'string') input = JSON.parse(input);
    } catch {
      event.note = `${tool}: tool_input is not JSON; let through unchecked`;
      event.quiet = true;
      return event;
    }
    readShellCall(event, input, base.hook_event_name === 'preToolUse', { workdir: ['working_directory', 'cwd'] });
    return event;
  }
  if (!CURSOR_EDIT_TOOLS.has(tool)) return event;
  // afterFileEdit records the edit; postToolUse is there to carry context (recording it twice would list it twice).
  if (base.hook_event_name === 'postToolUse') return event;
  const input = toolInputOf(payload.tool_input, where);
  const field = PATH_FIELDS.find((f) => input[f] !== undefined) ?? 'file_path';
  event.paths = [check(nonEmptyString, input[field], where, ['tool_input', field])];
  event.kind = base.hook_event_name === 'preToolUse' ? 'pre-edit' : 'post-edit';
  return event;
}

function answer(event: HookEvent | undefined, decision: HookDecision) {
  const eventName = event?.eventName ?? 'preToolUse';
  if (decision.kind === 'deny' && PERMISSION_EVENTS.has(eventName)) {
    const reason = denyReason(decision.reason);
    return jsonAnswer({ permission: 'deny', user_message: reason, agent_message: reason });
  }
  const { context, warning } = notesOf(decision);
  const note = joinNotes(warning, context);
  if (note && CONTEXT_EVENTS.has(eventName)) return jsonAnswer({ additional_context: note });
  return jsonAnswer({});
}

export const cursorDialect: Dialect = { name: 'cursor', detect: isCursorPayload, parse, answer, contextEvents: CONTEXT_EVENTS };
