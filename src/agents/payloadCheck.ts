// Validates hook payloads with zod and turns the first problem into one line naming the field,
// e.g. `claude PreToolUse: tool_input.file_path must be a string (got number)`.
import * as path from 'node:path';
import * as z from '../core/zod';
import { HookInputError } from './dialect';

export type Payload = Record<string, unknown>;

export const nonEmptyString = z.string().check(z.minLength(1));
export const absolutePath = z.string().check(
  z.minLength(1),
  z.refine((p) => path.isAbsolute(p), { message: 'must be an absolute path' }),
);

function fieldName(segments: (string | number)[]): string {
  let out = '';
  for (const s of segments) out += typeof s === 'number' ? `[${s}]` : out ? `.${s}` : s;
  return out || 'payload';
}

function withArticle(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/**
 * The fields Claude Code's and Gemini CLI's payloads start with (Codex's differ: its transcript_path
 * may be null): whose session, where, which event.
 */
export const SnakeCaseCommon = z.looseObject({
  session_id: nonEmptyString,
  cwd: absolutePath,
  hook_event_name: nonEmptyString,
  transcript_path: z.optional(z.string()),
});

/** A tool call's name, in the payloads that spell it `tool_name`. */
export const ToolCall = z.looseObject({ tool_name: nonEmptyString });

export function formatIssue(issue: z.core.$ZodIssue, prefix: (string | number)[] = []): string {
  const field = fieldName([...prefix, ...(issue.path as (string | number)[])]);
  switch (issue.code) {
    case 'invalid_type':
      return `${field} must be ${withArticle(issue.expected)} (${issue.input === undefined ? 'missing' : `got ${z.receivedType(issue.input)}`})`;
    case 'too_small':
      return `${field} must not be empty`;
    case 'custom':
      return `${field} ${issue.message}`;
    case 'invalid_value':
      return `${field} must be one of ${issue.values.map((o) => JSON.stringify(o)).join(', ')}`;
    default:
      return `${field}: ${issue.message}`;
  }
}

/** Parses `value` with `schema` or throws HookInputError(`<where>: <field> must be …`). */
export function check<T extends z.core.$ZodType>(schema: T, value: unknown, where: string, prefix: (string | number)[] = []): z.output<T> {
  const result = z.safeParse(schema, value, { reportInput: true });
  if (result.success) return result.data;
  throw new HookInputError(`${where}: ${formatIssue(result.error.issues[0]!, prefix)}`);
}

/** The event name for error messages, before the payload is known to be valid. */
export function rawEventName(p: Payload, key: string): string {
  const v = p[key];
  return typeof v === 'string' && v ? v : '?';
}

/** Keeps the first occurrence of each path, in the order the tool names them. */
export function uniquePaths(paths: string[]): string[] {
  return [...new Set(paths)];
}
