// Claude Code session transcripts: one JSON object per line in
// `<CLAUDE_CONFIG_DIR or ~/.claude>/projects/<cwd, every non-alphanumeric char → '-'>/<session_id>.jsonl`.
// Every message line carries `sessionId`, `cwd` and its own `timestamp`; assistant lines carry
// `message.content[]` with `{type:"tool_use", id, name, input}` items, and the user line that
// follows carries the outcome as `{type:"tool_result", tool_use_id, is_error?, content}`. A tool call
// refused by a hook or by the user has `is_error: true`: it did not happen. The reader pairs them
// (transcriptTracker.ts). Pure: no I/O, never throws on a bad line.
import * as os from 'node:os';
import * as path from 'node:path';
import { CLAUDE_EDIT_TOOLS } from '../claude';

/** Claude's shell tool: its commands may write files no hook sees. */
export const CLAUDE_SHELL_TOOLS: ReadonlySet<string> = new Set(['Bash']);

export interface TranscriptEdit {
  /** As the tool named it (Claude uses absolute paths). */
  path: string;
  tool: string;
  /** Pairs the call with its tool_result; absent in transcripts that carry none. */
  toolUseId?: string;
}

export interface TranscriptShellCall {
  command: string;
  tool: string;
  toolUseId?: string;
}

export interface TranscriptToolResult {
  toolUseId: string;
  isError: boolean;
  /** The result's text (the refusal reason, the command's output), cut to a few hundred characters. */
  text: string;
}

export interface ClaudeTranscriptLine {
  sessionId?: string;
  cwd?: string;
  /** The entry's own time (ms since epoch), from its `timestamp`. */
  at?: number;
  /** Edit tool calls requested on this line; they count once their tool_result says they ran. */
  edits: TranscriptEdit[];
  shells: TranscriptShellCall[];
  results: TranscriptToolResult[];
}

/** The folder holding the transcripts of sessions started in `cwd`. */
export function claudeProjectDirFor(cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  const configDir = env.CLAUDE_CONFIG_DIR || path.join(env.HOME || os.homedir(), '.claude');
  return path.join(configDir, 'projects', cwd.replace(/[^a-zA-Z0-9]/g, '-'));
}

/** An ISO timestamp as ms since epoch, or undefined. */
export function entryTime(v: unknown): number | undefined {
  if (typeof v !== 'string' || v === '') return undefined;
  const t = Date.parse(v);
  return Number.isFinite(t) ? t : undefined;
}

function parseObject(line: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(line);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function contentOf(message: unknown): unknown[] {
  if (typeof message !== 'object' || message === null) return [];
  const content = (message as { content?: unknown }).content;
  return Array.isArray(content) ? content : [];
}

function toolCalls(message: unknown): { edits: TranscriptEdit[]; shells: TranscriptShellCall[] } {
  const edits: TranscriptEdit[] = [];
  const shells: TranscriptShellCall[] = [];
  for (const item of contentOf(message)) {
    if (typeof item !== 'object' || item === null) continue;
    const { type, id, name, input } = item as { type?: unknown; id?: unknown; name?: unknown; input?: unknown };
    if (type !== 'tool_use' || typeof name !== 'string' || typeof input !== 'object' || input === null) continue;
    const toolUseId = typeof id === 'string' && id ? id : undefined;
    const field = CLAUDE_EDIT_TOOLS[name];
    if (field) {
      const p = (input as Record<string, unknown>)[field];
      if (typeof p === 'string' && p) edits.push({ path: p, tool: name, ...(toolUseId ? { toolUseId } : {}) });
    } else if (CLAUDE_SHELL_TOOLS.has(name)) {
      const c = (input as Record<string, unknown>).command;
      if (typeof c === 'string' && c) shells.push({ command: c, tool: name, ...(toolUseId ? { toolUseId } : {}) });
    }
  }
  return { edits, shells };
}

const RESULT_TEXT_CHARS = 400;

function resultText(content: unknown): string {
  if (typeof content === 'string') return content.slice(0, RESULT_TEXT_CHARS);
  if (!Array.isArray(content)) return '';
  const parts: string[] = [];
  for (const c of content) {
    if (typeof c === 'object' && c !== null && typeof (c as { text?: unknown }).text === 'string') parts.push((c as { text: string }).text);
  }
  return parts.join('\n').slice(0, RESULT_TEXT_CHARS);
}

function toolResults(message: unknown): TranscriptToolResult[] {
  const results: TranscriptToolResult[] = [];
  for (const item of contentOf(message)) {
    if (typeof item !== 'object' || item === null) continue;
    const { type, tool_use_id: id, is_error: isError, content } = item as { type?: unknown; tool_use_id?: unknown; is_error?: unknown; content?: unknown };
    if (type !== 'tool_result' || typeof id !== 'string' || !id) continue;
    results.push({ toolUseId: id, isError: isError === true, text: resultText(content) });
  }
  return results;
}

/** What one transcript line says about its session; undefined for corrupt or unrelated lines. */
export function parseClaudeTranscriptLine(line: string): ClaudeTranscriptLine | undefined {
  const obj = parseObject(line);
  if (!obj || typeof obj.type !== 'string') return undefined;
  const sessionId = typeof obj.sessionId === 'string' && obj.sessionId ? obj.sessionId : undefined;
  const cwd = typeof obj.cwd === 'string' && path.isAbsolute(obj.cwd) ? obj.cwd : undefined;
  const { edits, shells } = obj.type === 'assistant' ? toolCalls(obj.message) : { edits: [], shells: [] };
  const results = obj.type === 'user' ? toolResults(obj.message) : [];
  if (!sessionId && !cwd && edits.length === 0 && shells.length === 0 && results.length === 0) return undefined;
  const at = entryTime(obj.timestamp);
  return { sessionId, cwd, ...(at !== undefined ? { at } : {}), edits, shells, results };
}
