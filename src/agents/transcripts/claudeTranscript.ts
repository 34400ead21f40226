// Claude Code session transcripts: one JSON object per line in
// `<CLAUDE_CONFIG_DIR or ~/.claude>/projects/<cwd, every non-alphanumeric char → '-'>/<session_id>.jsonl`.
// Every message line carries `sessionId` and `cwd`; assistant lines carry `message.content[]` with
// `{type:"tool_use", name, input}` items. Pure: no I/O, never throws on a bad line.
import * as os from 'node:os';
import * as path from 'node:path';
import { CLAUDE_EDIT_TOOLS } from '../claude';

export interface TranscriptEdit {
  /** As the tool named it (Claude uses absolute paths). */
  path: string;
  tool: string;
}

export interface ClaudeTranscriptLine {
  sessionId?: string;
  cwd?: string;
  edits: TranscriptEdit[];
}

/** The folder holding the transcripts of sessions started in `cwd`. */
export function claudeProjectDirFor(cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  const configDir = env.CLAUDE_CONFIG_DIR || path.join(env.HOME || os.homedir(), '.claude');
  return path.join(configDir, 'projects', cwd.replace(/[^a-zA-Z0-9]/g, '-'));
}

function parseObject(line: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(line);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function editsOf(message: unknown): TranscriptEdit[] {
  if (typeof message !== 'object' || message === null) return [];
  const content = (message as { content?: unknown }).content;
  if (!Array.isArray(content)) return [];
  const edits: TranscriptEdit[] = [];
  for (const item of content) {
    if (typeof item !== 'object' || item === null) continue;
    const { type, name, input } = item as { type?: unknown; name?: unknown; input?: unknown };
    if (type !== 'tool_use' || typeof name !== 'string' || typeof input !== 'object' || input === null) continue;
    const field = CLAUDE_EDIT_TOOLS[name];
    const p = field ? (input as Record<string, unknown>)[field] : undefined;
    if (typeof p === 'string' && p) edits.push({ path: p, tool: name });
  }
  return edits;
}

/** What one transcript line says about its session; undefined for corrupt or unrelated lines. */
export function parseClaudeTranscriptLine(line: string): ClaudeTranscriptLine | undefined {
  const obj = parseObject(line);
  if (!obj || typeof obj.type !== 'string') return undefined;
  const sessionId = typeof obj.sessionId === 'string' && obj.sessionId ? obj.sessionId : undefined;
  const cwd = typeof obj.cwd === 'string' && path.isAbsolute(obj.cwd) ? obj.cwd : undefined;
  const edits = obj.type === 'assistant' ? editsOf(obj.message) : [];
  if (!sessionId && !cwd && edits.length === 0) return undefined;
  return { sessionId, cwd, edits };
}
