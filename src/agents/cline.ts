// Cline hooks (cline/cline docs/features/hooks/hook-reference.mdx): executables named after the
// event in .clinerules/hooks/. Stdin: {clineVersion, hookName, timestamp, taskId, workspaceRoots,
// userId, <hookName in camelCase>: {...}}, e.g. preToolUse: {toolName, parameters: {path, …}}.
// Cline's paths are relative to the workspace root. Output: {"cancel": bool, "contextModification",
// "errorMessage"}. A non-zero exit or invalid JSON BLOCKS the action, so every answer is JSON, exit 0.
// execute_command {command} is read for the files the command obviously writes (shellTool.ts).
import * as z from '../core/zod';
import { patchPaths } from './applyPatch';
import type { Dialect, HookDecision, HookEvent, HookEventKind, ParseOptions } from './dialect';
import { HookInputError } from './dialect';
import { denyReason, joinNotes, jsonAnswer, notesOf } from './hookOutput';
import { absolutePath, check, nonEmptyString, rawEventName, type Payload } from './payloadCheck';
import { isClinePayload } from './payloadShape';
import { readShellCall } from './shellTool';

/** Cline (and Roo-style) tools that write the file named by `path`. */
export const CLINE_EDIT_TOOLS = new Set(['write_to_file', 'replace_in_file', 'new_rule', 'apply_diff', 'insert_content', 'search_and_replace']);

const EVENT_KINDS: Readonly<Record<string, HookEventKind>> = {
  TaskStart: 'session-start',
  TaskResume: 'session-start',
  TaskComplete: 'session-end',
  TaskCancel: 'session-end',
  UserPromptSubmit: 'prompt',
};

const Common = z.looseObject({
  hookName: nonEmptyString,
  taskId: nonEmptyString,
  workspaceRoots: z.optional(z.array(absolutePath)),
});

export const CLINE_SHELL_TOOLS: ReadonlySet<string> = new Set(['execute_command']);

const ToolSection = z.looseObject({ toolName: nonEmptyString });
const Parameters = z.looseObject({});

function parse(payload: Payload, opts: ParseOptions = {}): HookEvent {
  const where = `cline ${rawEventName(payload, 'hookName')}`;
  const base = check(Common, payload, where);
  const cwd = base.workspaceRoots?.[0] ?? opts.cwd;
  if (!cwd) throw new HookInputError(`${where}: workspaceRoots must name the workspace (missing)`);
  const event: HookEvent = {
    kind: EVENT_KINDS[base.hookName] ?? 'other',
    agent: 'cline',
    sessionId: base.taskId,
    cwd,
    paths: [],
    eventName: base.hookName,
  };
  if (base.hookName !== 'PreToolUse' && base.hookName !== 'PostToolUse') return event;
  const key = base.hookName === 'PreToolUse' ? 'preToolUse' : 'postToolUse';
  const section = check(ToolSection, payload[key], where, [key]);
  event.tool = section.toolName;
  const editKind = base.hookName === 'PreToolUse' ? 'pre-edit' : 'post-edit';
  if (CLINE_SHELL_TOOLS.has(section.toolName)) {
    readShellCall(event, section.parameters, editKind === 'pre-edit');
  } else if (CLINE_EDIT_TOOLS.has(section.toolName)) {
    const parameters = check(Parameters, section.parameters, where, [key, 'parameters']);
    event.paths = [check(nonEmptyString, parameters.path, where, [key, 'parameters', 'path'])];
    event.kind = editKind;
  } else if (section.toolName === 'apply_patch') {
    const parameters = check(Parameters, section.parameters, where, [key, 'parameters']);
    const text = check(z.string(), parameters.input, where, [key, 'parameters', 'input']);
    const paths = patchPaths(text);
    if (!paths.length) throw new HookInputError(`${where}: ${key}.parameters.input names no file (no '*** Add/Update/Delete File:' line)`);
    event.paths = paths;
    event.kind = editKind;
  }
  return event;
}

function answer(event: HookEvent | undefined, decision: HookDecision) {
  const eventName = event?.eventName ?? 'PreToolUse';
  if (decision.kind === 'deny' && eventName === 'PreToolUse') return jsonAnswer({ cancel: true, errorMessage: denyReason(decision.reason) });
  const { context, warning } = notesOf(decision);
  const note = joinNotes(warning, context);
  return jsonAnswer(note ? { cancel: false, contextModification: note } : { cancel: false });
}

/** Cline blocks on any non-zero exit without showing why: a refusal cancels with the reason instead. */
function refusal(reason: string) {
  const ans = jsonAnswer({ cancel: true, errorMessage: `Lockstep could not read this hook call: ${reason}` });
  return { ...ans, stderr: `lockstep hook: ${reason}\n` };
}

export const clineDialect: Dialect = { name: 'cline', detect: isClinePayload, parse, answer, refusal };
