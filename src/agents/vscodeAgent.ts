// VS Code agent mode (Copilot Chat) hooks, Preview (vscode-docs docs/copilot/customization/hooks.md).
// VS Code runs hooks from .github/hooks/*.json and from Claude's settings files, always with its
// own camelCase payload: {timestamp, cwd, sessionId, hookEventName, transcript_path, tool_name,
// tool_input, tool_use_id}. Edit tools (vscode-copilot-chat src/extension/tools/common/toolNames.ts)
// name their file in camelCase `filePath`. There is no SessionEnd event.
import { z } from 'zod';
import { patchPaths } from './applyPatch';
import type { Dialect, HookDecision, HookEvent, HookEventKind } from './dialect';
import { HookInputError } from './dialect';
import { claudeStyleAnswer } from './hookOutput';
import { absolutePath, check, nonEmptyString, rawEventName, uniquePaths, type Payload } from './payloadCheck';
import { isVscodePayload } from './payloadShape';

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
/** Tools added later (delete, rename…) still count as edits when their name says they write. */
const WRITE_VERB = /(create|edit|replace|insert|write|delete|rename|patch)/i;

const EVENT_KINDS: Readonly<Record<string, HookEventKind>> = {
  SessionStart: 'session-start',
  UserPromptSubmit: 'prompt',
  Stop: 'stop',
};

/** Events whose hookSpecificOutput.additionalContext VS Code reads; others get systemMessage. */
const CONTEXT_EVENTS = new Set(['PreToolUse', 'SessionStart']);

const Common = z
  .object({
    sessionId: nonEmptyString,
    cwd: absolutePath,
    hookEventName: nonEmptyString,
    transcript_path: z.string().optional(),
  })
  .passthrough();

const ToolCall = z.object({ tool_name: nonEmptyString, tool_input: z.object({}).passthrough() }).passthrough();

function editPaths(tool: string, input: Record<string, unknown>, where: string): string[] | undefined {
  const at = ['tool_input'];
  if (VSCODE_SINGLE_FILE_TOOLS.has(tool)) return [check(z.object({ filePath: nonEmptyString }).passthrough(), input, where, at).filePath];
  if (MULTI_REPLACE_TOOLS.has(tool)) {
    const r = check(z.object({ replacements: z.array(z.object({ filePath: nonEmptyString }).passthrough()).min(1) }).passthrough(), input, where, at);
    return uniquePaths(r.replacements.map((x) => x.filePath));
  }
  if (APPLY_PATCH_TOOLS.has(tool)) {
    const r = check(z.object({ input: z.string() }).passthrough(), input, where, at);
    const paths = patchPaths(r.input);
    if (!paths.length) throw new HookInputError(`${where}: tool_input.input names no file (no '*** Add/Update/Delete File:' line)`);
    return paths;
  }
  if (FILES_LIST_TOOLS.has(tool)) return uniquePaths(check(z.object({ files: z.array(nonEmptyString).min(1) }).passthrough(), input, where, at).files);
  if (WRITE_VERB.test(tool)) {
    if (typeof input.filePath === 'string' && input.filePath) return [input.filePath];
    if (Array.isArray(input.filePaths)) return uniquePaths(check(z.object({ filePaths: z.array(nonEmptyString).min(1) }).passthrough(), input, where, at).filePaths);
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
