// GitHub Copilot CLI hooks (docs.github.com copilot/reference/hooks-configuration and
// copilot-cli-reference/cli-hooks-reference). Events configured in camelCase send
// `{timestamp (ms), cwd, toolName, toolArgs}` with no event name, so the event is read from the
// shape: toolResult → postToolUse, error+toolName → postToolUseFailure, toolName → preToolUse,
// reason → sessionEnd, source → sessionStart, prompt → userPromptSubmitted, stopReason → agentStop.
// toolArgs is a JSON string in older builds, an object in newer ones. Events configured in
// PascalCase get a snake_case "VS Code compatible" payload (hook_event_name, session_id,
// tool_name, tool_input), handled here too.
//
// Session id: newer payloads carry `sessionId`. Older ones carry none, so the session is derived
// from cwd + the agent process (pid and start time, from ParseOptions): one Copilot CLI process in
// one directory is one session. Without agentPid, every Copilot CLI in that cwd shares one session.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { patchPaths } from './applyPatch';
import type { Dialect, HookDecision, HookEvent, HookEventKind, ParseOptions } from './dialect';
import { HookInputError } from './dialect';
import { NO_OUTPUT, denyReason, jsonAnswer } from './hookOutput';
import { absolutePath, check, nonEmptyString, type Payload } from './payloadCheck';
import { isCopilotPayload } from './payloadShape';

/** Copilot CLI tools that write the file named by `path`. */
export const COPILOT_EDIT_TOOLS = new Set(['edit', 'create', 'write', 'str_replace', 'insert']);

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

const Common = z
  .object({
    cwd: absolutePath,
    sessionId: nonEmptyString.optional(),
    session_id: nonEmptyString.optional(),
    transcriptPath: z.string().optional(),
    transcript_path: z.string().optional(),
  })
  .passthrough();

function toolArgsOf(raw: unknown, field: string, where: string): Record<string, unknown> {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      throw new HookInputError(`${where}: ${field} must be a JSON object (a string that is not JSON)`);
    }
  }
  return check(z.object({}).passthrough(), value, where, [field]);
}

function editPaths(tool: string, args: Record<string, unknown>, field: string, where: string): string[] | undefined {
  if (tool === 'str_replace_editor') {
    if (args.command === 'view') return undefined;
    return [check(z.object({ path: nonEmptyString }).passthrough(), args, where, [field]).path];
  }
  if (COPILOT_EDIT_TOOLS.has(tool)) return [check(z.object({ path: nonEmptyString }).passthrough(), args, where, [field]).path];
  if (tool === 'apply_patch') {
    const text = typeof args.input === 'string' ? args.input : typeof args.patch === 'string' ? args.patch : undefined;
    const paths = text ? patchPaths(text) : [];
    if (!paths.length) throw new HookInputError(`${where}: ${field}.input names no file (no '*** Add/Update/Delete File:' line)`);
    return paths;
  }
  return undefined;
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
  const args = toolArgsOf(payload[argsField], argsField, where);
  const paths = editPaths(tool, args, argsField, where);
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
  if (decision.kind !== 'deny' && decision.context && CONTEXT_EVENTS.has(eventName)) return jsonAnswer({ additionalContext: decision.context });
  return NO_OUTPUT;
}

/** Copilot CLI reads context only from the notification hook (injected as a user message; it can wake an idle session). */
const CONTEXT_EVENTS = new Set(['notification', 'Notification']);

export const copilotDialect: Dialect = { name: 'copilot', detect: isCopilotPayload, parse, answer, contextEvents: CONTEXT_EVENTS };
