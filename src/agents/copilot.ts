// GitHub Copilot CLI hooks (docs.github.com copilot/reference/hooks-configuration and
// copilot-cli-reference/cli-hooks-reference). Events configured in camelCase send
// `{timestamp (ms), cwd, toolName, toolArgs}` with no event name, so the event is read from the
// shape: toolResult → postToolUse, error+toolName → postToolUseFailure, toolName → preToolUse,
// reason → sessionEnd, source → sessionStart, prompt → userPromptSubmitted, stopReason → agentStop.
// toolArgs is a JSON string in older builds, an object in newer ones; with GPT-5 models the freeform
// apply_patch tool sends the raw patch text instead. The `bash` tool's {command} is read for the
// files it obviously writes (shellTool.ts). Other tools' arguments are not read at all, so a
// malformed one never blocks a call Lockstep has no say in. Events configured in
// PascalCase get a snake_case "VS Code compatible" payload (hook_event_name, session_id,
// tool_name, tool_input), handled here too.
//
// Session id: newer payloads carry `sessionId`. Older ones carry none, so the session is derived
// from cwd + the agent process (pid and start time, from ParseOptions): one Copilot CLI process in
// one directory is one session. Without agentPid, every Copilot CLI in that cwd shares one session.
import { createHash } from 'node:crypto';
import * as z from '../core/zod';
import { patchPaths } from './applyPatch';
import type { Dialect, HookDecision, HookEvent, HookEventKind, ParseOptions } from './dialect';
import { HookInputError } from './dialect';
import { NO_OUTPUT, denyReason, jsonAnswer } from './hookOutput';
import { absolutePath, check, nonEmptyString, type Payload } from './payloadCheck';
import { isCopilotPayload } from './payloadShape';
import { readShellCall } from './shellTool';

/** Copilot CLI tools that write the file named by `path`. */
export const COPILOT_EDIT_TOOLS = new Set(['edit', 'create', 'write', 'str_replace', 'insert']);
/** Copilot CLI's shell tool (`write_bash` only types into a running one: not read). */
export const COPILOT_SHELL_TOOLS: ReadonlySet<string> = new Set(['bash']);

const EVENT_KINDS: Readonly<Record<string, HookEventKind>> = {
  sessionStart: 'session-start',
  SessionStart: 'session-start',
  sessionEnd: 'session-end',
  SessionEnd: 'session-end',
  userPromptSubmitted: 'prompt',
  UserPromptSubmit: 'prompt',
  agentStop: 'stop',
  Stop: 'stop',
};

/** Names the camelCase event a payload belongs to, from the fields only that event carries. */
export function inferCopilotEvent(p: Payload): string {
  if (typeof p.hook_event_name === 'string') return p.hook_event_name;
  const has = (k: string) => Object.prototype.hasOwnProperty.call(p, k);
  if (has('notification_type') || has('notificationType')) return 'notification';
  if (has('toolName')) return has('toolResult') ? 'postToolUse' : has('error') ? 'postToolUseFailure' : 'preToolUse';
  if (has('reason')) return 'sessionEnd';
  if (has('source') || has('initialPrompt')) return 'sessionStart';
  if (has('prompt')) return 'userPromptSubmitted';
  if (has('stopReason')) return 'agentStop';
  if (has('error')) return 'errorOccurred';
  return 'unknown';
}

/** Derived session id when the payload has none: stable per (cwd, agent process). */
export function copilotSessionIdFor(cwd: string, opts: ParseOptions = {}): string {
  const h = createHash('sha256').update(`${cwd}\0${opts.agentPid ?? ''}\0${opts.agentStartTime ?? ''}`).digest('hex');
  return `cwd-${h.slice(0, 16)}`;
}

const Common = z.looseObject({
  cwd: absolutePath,
  sessionId: z.optional(nonEmptyString),
  session_id: z.optional(nonEmptyString),
  transcriptPath: z.optional(z.string()),
  transcript_path: z.optional(z.string()),
});

/** toolArgs as sent: an object, or the JSON text of one. */
function toolArgsOf(raw: unknown, field: string, where: string): Record<string, unknown> {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      throw new HookInputError(`${where}: ${field} must be a JSON object (a string that is not JSON)`);
    }
  }
  return check(z.looseObject({}), value, where, [field]);
}

/** apply_patch's files: toolArgs is `{input|patch}` (as an object or JSON text) or the raw patch text itself. */
function patchToolPaths(raw: unknown, field: string, where: string): string[] {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      value = raw; // GPT-5's freeform apply_patch: the patch itself
    }
  }
  let text: string | undefined;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'object' && value !== null) {
    const o = value as Record<string, unknown>;
    text = typeof o.input === 'string' ? o.input : typeof o.patch === 'string' ? o.patch : undefined;
  }
  if (text === undefined) throw new HookInputError(`${where}: ${field} must be the patch text, or an object with the patch in 'input'`);
  const paths = patchPaths(text);
  if (!paths.length) throw new HookInputError(`${where}: ${field} names no file (no '*** Add/Update/Delete File:' line)`);
  return paths;
}

/** The shell tool's arguments, or a note saying why they could not be read (the call is then let through). */
function shellArgsOf(raw: unknown, field: string): { args?: unknown; note?: string } {
  if (typeof raw !== 'string') return { args: raw };
  try {
    return { args: JSON.parse(raw) };
  } catch {
    return { note: `${field} of the shell tool is not JSON; let through unchecked` };
  }
}

function editPaths(tool: string, raw: unknown, field: string, where: string): string[] | undefined {
  if (tool === 'apply_patch') return patchToolPaths(raw, field, where);
  if (tool !== 'str_replace_editor' && !COPILOT_EDIT_TOOLS.has(tool)) return undefined;
  const args = toolArgsOf(raw, field, where);
  if (tool === 'str_replace_editor' && args.command === 'view') return undefined;
  return [check(z.looseObject({ path: nonEmptyString }), args, where, [field]).path];
}

function parse(payload: Payload, opts: ParseOptions = {}): HookEvent {
  const eventName = inferCopilotEvent(payload);
  const where = `copilot ${eventName}`;
  const base = check(Common, payload, where);
  const sessionId = base.sessionId ?? base.session_id ?? copilotSessionIdFor(base.cwd, opts);
  const event: HookEvent = {
    kind: EVENT_KINDS[eventName] ?? 'other',
    agent: 'copilot',
    sessionId,
    cwd: base.cwd,
    paths: [],
    transcriptPath: base.transcriptPath ?? base.transcript_path,
    eventName,
  };
  const pre = eventName === 'preToolUse' || eventName === 'PreToolUse';
  const post = eventName === 'postToolUse' || eventName === 'PostToolUse';
  if (!pre && !post) return event;
  const snake = typeof payload.hook_event_name === 'string';
  const [nameField, argsField] = snake ? ['tool_name', 'tool_input'] : ['toolName', 'toolArgs'];
  const tool = check(nonEmptyString, payload[nameField], where, [nameField]);
  event.tool = tool;
  if (COPILOT_SHELL_TOOLS.has(tool)) {
    const { args, note } = shellArgsOf(payload[argsField], argsField);
    if (note) {
      event.note = `${tool}: ${note}`;
      event.quiet = true;
    }
    else readShellCall(event, args, pre);
    return event;
  }
  const paths = editPaths(tool, payload[argsField], argsField, where);
  if (paths) {
    event.kind = pre ? 'pre-edit' : 'post-edit';
    event.paths = paths;
  }
  return event;
}

function answer(event: HookEvent | undefined, decision: HookDecision) {
  const eventName = event?.eventName ?? 'preToolUse';
  // Only preToolUse output is read; "allow" would skip the user's approval, so a grant says nothing.
  if (decision.kind === 'deny' && (eventName === 'preToolUse' || eventName === 'PreToolUse')) {
    return jsonAnswer({ permissionDecision: 'deny', permissionDecisionReason: denyReason(decision.reason) });
  }
  if (decision.kind !== 'deny' && decision.context && CONTEXT_EVENTS.has(eventName)) return contextAnswer(eventName, decision.context);
  return NO_OUTPUT;
}

/**
 * Context for the model. The camelCase events read a top-level `additionalContext`; the notification
 * hook (whose payload is the snake_case "VS Code compatible" one) reads only Claude's
 * `hookSpecificOutput.additionalContext` and ignores a top-level one (seen with Copilot CLI 1.0.102).
 */
export function contextAnswer(eventName: string, context: string) {
  if (eventName === 'notification' || eventName === 'Notification') return jsonAnswer({ hookSpecificOutput: { hookEventName: 'Notification', additionalContext: context } });
  return jsonAnswer({ additionalContext: context });
}

/** Copilot shows the model only "hook exited with code 2": a refusal is a deny that says what was wrong. */
function refusal(reason: string) {
  const ans = jsonAnswer({ permissionDecision: 'deny', permissionDecisionReason: `Lockstep could not read this tool call: ${reason}` });
  return { ...ans, stderr: `lockstep hook: ${reason}\n` };
}

/**
 * Events whose additionalContext reaches the model (Copilot CLI 1.0.102, seen in its requests):
 * sessionStart (a user message before the prompt), userPromptSubmitted (a <system_reminder> in the
 * prompt), postToolUse (appended to the tool's result) and the notification hook (a user message that
 * starts a turn when the session is idle). A granted preToolUse's context is read too,
 * but its postToolUse comes right after: one delivery point per tool call is enough.
 */
const CONTEXT_EVENTS = new Set(['sessionStart', 'userPromptSubmitted', 'postToolUse', 'notification', 'Notification']);

export const copilotDialect: Dialect = { name: 'copilot', detect: isCopilotPayload, parse, answer, refusal, contextEvents: CONTEXT_EVENTS };
