// Codex CLI session logs: `$CODEX_HOME/sessions/YYYY/MM/DD/rollout-<time>-<uuid>.jsonl` (CODEX_HOME
// defaults to ~/.codex). Each line is `{timestamp, type, payload}`:
//   session_meta  payload {id, cwd, …}                           → the session and its cwd
//   turn_context  payload {cwd, …}                               → the cwd of later turns
//   event_msg     payload {type:"patch_apply_end", success, changes: {<absolute path>: {type:"add"|"delete"|"update", move_path?}}}
//   response_item payload {type:"function_call", name:"apply_patch", arguments:"{\"input\":…}"}
//                 or {type:"custom_tool_call", name:"apply_patch", input:"*** Begin Patch…"}
//   response_item payload {type:"function_call", name:"shell"|"exec_command"…, call_id, arguments}
//                 or {type:"local_shell_call", call_id, action:{command:[…]}}        → a shell command
//   response_item payload {type:"function_call_output"|"custom_tool_call_output", call_id, output} → its outcome
// Applied patches give status 'applied'; apply_patch calls (which may still be refused) 'requested'.
// Every line's `timestamp` is the entry's own time.
// Lines of the oldest format (no `type`, `{id, timestamp, …}` first line) give the session id.
// Pure: no I/O, never throws on a bad line.
import * as path from 'node:path';
import { patchPaths } from '../applyPatch';
import { CODEX_SHELL_TOOLS } from '../codex';
import { entryTime, type TranscriptShellCall, type TranscriptToolResult } from './claudeTranscript';

export interface CodexRolloutEdit {
  /** Absolute for applied patches; as written in the patch (relative to cwd or absolute) for calls. */
  path: string;
  tool: string;
  status: 'applied' | 'requested';
}

export interface CodexRolloutLine {
  sessionId?: string;
  cwd?: string;
  /** The entry's own time (ms since epoch), from its `timestamp`. */
  at?: number;
  edits: CodexRolloutEdit[];
  /** Shell commands the model ran (`toolUseId` is the call_id their output names). */
  shells?: TranscriptShellCall[];
  results?: TranscriptToolResult[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
const absolute = (v: unknown): string | undefined => {
  const s = str(v);
  return s && path.isAbsolute(s) ? s : undefined;
};

function appliedEdits(payload: Obj): CodexRolloutEdit[] {
  if (payload.success === false || !isObj(payload.changes)) return [];
  const edits: CodexRolloutEdit[] = [];
  for (const [file, change] of Object.entries(payload.changes)) {
    if (file) edits.push({ path: file, tool: 'apply_patch', status: 'applied' });
    const moved = isObj(change) ? (str(change.move_path) ?? (isObj(change.update) ? str(change.update.move_path) : undefined)) : undefined;
    if (moved) edits.push({ path: moved, tool: 'apply_patch', status: 'applied' });
  }
  return edits;
}

/** The patch text of an apply_patch call, whatever envelope this Codex version used. */
function callPatchText(payload: Obj): string | undefined {
  if (payload.type === 'custom_tool_call' && payload.name === 'apply_patch') return str(payload.input);
  if (payload.type !== 'function_call') return undefined;
  let args: unknown = payload.arguments;
  if (typeof args === 'string') {
    const raw = args;
    try {
      args = JSON.parse(raw);
    } catch {
      return payload.name === 'apply_patch' ? raw : undefined;
    }
  }
  if (!isObj(args)) return undefined;
  if (payload.name === 'apply_patch') return str(args.input) ?? str(args.patch);
  // shell {command: ["apply_patch", "<patch>"]} or a heredoc in a single command string
  const cmd = args.command;
  const text = Array.isArray(cmd) ? cmd.filter((x) => typeof x === 'string').join('\n') : str(cmd);
  return text && /(^|\n)\*\*\* Begin Patch/.test(text) ? text : undefined;
}

/** A shell call (not carrying a patch): its command text. */
function shellCall(payload: Obj): TranscriptShellCall | undefined {
  const callId = str(payload.call_id);
  if (payload.type === 'local_shell_call') {
    const action = isObj(payload.action) ? payload.action : {};
    const cmd = Array.isArray(action.command) ? action.command.filter((x) => typeof x === 'string').join(' ') : str(action.command);
    return cmd ? { command: cmd, tool: 'local_shell', ...(callId ? { toolUseId: callId } : {}) } : undefined;
  }
  if (payload.type !== 'function_call' || typeof payload.name !== 'string' || !CODEX_SHELL_TOOLS.has(payload.name)) return undefined;
  let args: unknown = payload.arguments;
  if (typeof args === 'string') {
    try {
      args = JSON.parse(args);
    } catch {
      return undefined;
    }
  }
  if (!isObj(args)) return undefined;
  const c = args.command ?? args.cmd;
  const cmd = Array.isArray(c) ? c.filter((x) => typeof x === 'string').join(' ') : str(c);
  return cmd ? { command: cmd, tool: payload.name, ...(callId ? { toolUseId: callId } : {}) } : undefined;
}

function callOutput(payload: Obj): TranscriptToolResult | undefined {
  if (payload.type !== 'function_call_output' && payload.type !== 'custom_tool_call_output') return undefined;
  const callId = str(payload.call_id);
  if (!callId) return undefined;
  const out = payload.output;
  const text = typeof out === 'string' ? out : isObj(out) ? (str(out.content) ?? JSON.stringify(out)) : '';
  // Shell outputs are JSON `{output, metadata: {exit_code}}` in most versions.
  let isError = isObj(out) && out.success === false;
  try {
    const o: unknown = typeof out === 'string' ? JSON.parse(out) : undefined;
    if (isObj(o) && isObj(o.metadata) && typeof o.metadata.exit_code === 'number') isError = o.metadata.exit_code !== 0;
  } catch {
    /* plain text */
  }
  return { toolUseId: callId, isError, text: text.slice(0, 400) };
}

/** What one rollout line says about its session; undefined for corrupt or unrelated lines. */
export function parseCodexRolloutLine(line: string): CodexRolloutLine | undefined {
  let obj: unknown;
  try {
    obj = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isObj(obj)) return undefined;
  if (obj.type === undefined) {
    const id = str(obj.id);
    return id && obj.timestamp !== undefined ? { sessionId: id, cwd: absolute(obj.cwd), edits: [] } : undefined;
  }
  const payload = obj.payload;
  if (!isObj(payload)) return undefined;
  const at = entryTime(obj.timestamp);
  const parsed = parseTyped(obj.type, payload);
  return parsed && at !== undefined ? { ...parsed, at } : parsed;
}

function parseTyped(type: unknown, payload: Obj): CodexRolloutLine | undefined {
  switch (type) {
    case 'session_meta': {
      const meta = isObj(payload.meta) ? payload.meta : payload;
      const sessionId = str(meta.id);
      const cwd = absolute(meta.cwd);
      return sessionId || cwd ? { sessionId, cwd, edits: [] } : undefined;
    }
    case 'turn_context': {
      const cwd = absolute(payload.cwd);
      return cwd ? { cwd, edits: [] } : undefined;
    }
    case 'event_msg':
      return payload.type === 'patch_apply_end' ? { edits: appliedEdits(payload) } : undefined;
    case 'response_item': {
      const text = callPatchText(payload);
      if (text) {
        const edits = patchPaths(text).map((p): CodexRolloutEdit => ({ path: p, tool: 'apply_patch', status: 'requested' }));
        return edits.length ? { edits } : undefined;
      }
      const shell = shellCall(payload);
      if (shell) return { edits: [], shells: [shell] };
      const result = callOutput(payload);
      return result ? { edits: [], results: [result] } : undefined;
    }
    default:
      return undefined;
  }
}
