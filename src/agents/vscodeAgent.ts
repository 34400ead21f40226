// VS Code agent mode (Copilot Chat) hooks, Preview (vscode-docs docs/copilot/customization/hooks.md).
// VS Code runs hooks from .github/hooks/*.json and from Claude's settings files, always with its
// own camelCase payload: {timestamp, cwd, sessionId, hookEventName, transcript_path, tool_name,
// tool_input, tool_use_id}. Edit tools (vscode-copilot-chat src/extension/tools/common/toolNames.ts)
// name their file in camelCase `filePath`; run_in_terminal {command} is read for the files the
// command obviously writes (shellTool.ts). There is no SessionEnd event.
import * as z from '../core/zod';
import { patchPaths } from './applyPatch';
import type { Dialect, HookDecision, HookEvent, HookEventKind } from './dialect';
import { HookInputError } from './dialect';
import { claudeStyleAnswer } from './hookOutput';
import { ToolCall, absolutePath, check, nonEmptyString, rawEventName, uniquePaths, type Payload } from './payloadCheck';
import { isVscodePayload } from './payloadShape';
import { readShellCall } from './shellTool';

/** Tools whose input is `{filePath, …}`, by tool name and by contributed (copilot_*) name. */
export const VSCODE_SINGLE_FILE_TOOLS = new Set([
  'create_file',
  'replace_string_in_file',
  'insert_edit_into_file',
  'edit_notebook_file',
  'copilot_createFile',
  'copilot_replaceString',
  'copilot_insertEdit',
  'copilot_editNotebook',
]);
const MULTI_REPLACE_TOOLS = new Set(['multi_replace_string_in_file', 'copilot_multiReplaceString']);
const APPLY_PATCH_TOOLS = new Set(['apply_patch', 'copilot_applyPatch']);
/** The placeholder the VS Code docs use in their examples: `{files: [...]}`. */
const FILES_LIST_TOOLS = new Set(['editFiles', 'edit_files', 'copilot_editFiles']);
/** The agent's terminal tool. */
export const VSCODE_SHELL_TOOLS: ReadonlySet<string> = new Set(['run_in_terminal', 'copilot_runInTerminal']);
/** Tools added later (delete, rename…) still count as edits when their name says they write. */
const WRITE_VERB = /(create|edit|replace|insert|write|delete|rename|patch)/i;

const EVENT_KINDS: Readonly<Record<string, HookEventKind>> = {
  SessionStart: 'session-start',
  UserPromptSubmit: 'prompt',
  Stop: 'stop',
};

/** Events whose hookSpecificOutput.additionalContext VS Code reads; others get systemMessage. */
const CONTEXT_EVENTS = new Set(['PreToolUse', 'SessionStart']);

const Common = z.looseObject({
  sessionId: nonEmptyString,
  cwd: absolutePath,
  hookEventName: nonEmptyString,
  transcript_path: z.optional(z.string()),
});


function editPaths(tool: string, rawInput: unknown, where: string): string[] | undefined {
  const at = ['tool_input'];
  const isKnownEdit = VSCODE_SINGLE_FILE_TOOLS.has(tool) || MULTI_REPLACE_TOOLS.has(tool) || APPLY_PATCH_TOOLS.has(tool) || FILES_LIST_TOOLS.has(tool);
  if (!isKnownEdit && (typeof rawInput !== 'object' || rawInput === null || Array.isArray(rawInput))) return undefined; // other tools may send anything
  const input = check(z.looseObject({}), rawInput, where, at);
  if (VSCODE_SINGLE_FILE_TOOLS.has(tool)) return [check(z.looseObject({ filePath: nonEmptyString }), input, where, at).filePath];
  if (MULTI_REPLACE_TOOLS.has(tool)) {
    const r = check(z.looseObject({ replacements: z.array(z.looseObject({ filePath: nonEmptyString })).check(z.minLength(1)) }), input, where, at);
    return uniquePaths(r.replacements.map((x) => x.filePath));
  }
  if (APPLY_PATCH_TOOLS.has(tool)) {
    const r = check(z.looseObject({ input: z.string() }), input, where, at);
    const paths = patchPaths(r.input);
    if (!paths.length) throw new HookInputError(`${where}: tool_input.input names no file (no '*** Add/Update/Delete File:' line)`);
    return paths;
  }
  if (FILES_LIST_TOOLS.has(tool)) return uniquePaths(check(z.looseObject({ files: z.array(nonEmptyString).check(z.minLength(1)) }), input, where, at).files);
  if (WRITE_VERB.test(tool)) {
    if (typeof input.filePath === 'string' && input.filePath) return [input.filePath];
    if (Array.isArray(input.filePaths)) return uniquePaths(check(z.looseObject({ filePaths: z.array(nonEmptyString).check(z.minLength(1)) }), input, where, at).filePaths);
  }
  return undefined;
}

function parse(payload: Payload): HookEvent {
  const where = `vscode ${rawEventName(payload, 'hookEventName')}`;
  const base = check(Common, payload, where);
  const event: HookEvent = {
    kind: EVENT_KINDS[base.hookEventName] ?? 'other',
    agent: 'vscode',
    sessionId: base.sessionId,
    cwd: base.cwd,
    paths: [],
    transcriptPath: base.transcript_path,
    eventName: base.hookEventName,
  };
  if (base.hookEventName !== 'PreToolUse' && base.hookEventName !== 'PostToolUse') return event;
  const call = check(ToolCall, payload, where);
  event.tool = call.tool_name;
  if (VSCODE_SHELL_TOOLS.has(call.tool_name)) {
    readShellCall(event, call.tool_input, base.hookEventName === 'PreToolUse');
    return event;
  }
  const paths = editPaths(call.tool_name, call.tool_input, where);
  if (paths) {
    event.kind = base.hookEventName === 'PreToolUse' ? 'pre-edit' : 'post-edit';
    event.paths = paths;
  }
  return event;
}

export const vscodeDialect: Dialect = {
  contextEvents: CONTEXT_EVENTS,
  name: 'vscode',
  detect: isVscodePayload,
  parse,
  answer: (event: HookEvent | undefined, decision: HookDecision) => claudeStyleAnswer(event, decision, CONTEXT_EVENTS),
};
