// Validates hook payloads with zod and turns the first problem into one line naming the field,
// e.g. `claude PreToolUse: tool_input.file_path must be a string (got number)`.
import * as path from 'node:path';
import { z } from 'zod';
import { HookInputError } from './dialect';

export type Payload = Record<string, unknown>;

export const nonEmptyString = z.string().min(1);
export const absolutePath = z
  .string()
  .min(1)
  .refine((p) => path.isAbsolute(p), { message: 'must be an absolute path' });

function fieldName(segments: (string | number)[]): string {
  let out = '';
  for (const s of segments) out += typeof s === 'number' ? `[${s}]` : out ? `.${s}` : s;
  return out || 'payload';
}

function withArticle(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

export function formatIssue(issue: z.ZodIssue, prefix: (string | number)[] = []): string {
  const field = fieldName([...prefix, ...issue.path]);
  switch (issue.code) {
    case z.ZodIssueCode.invalid_type:
      return `${field} must be ${withArticle(issue.expected)} (${issue.received === 'undefined' ? 'missing' : `got ${issue.received}`})`;
    case z.ZodIssueCode.too_small:
      return `${field} must not be empty`;
    case z.ZodIssueCode.custom:
      return `${field} ${issue.message}`;
    case z.ZodIssueCode.invalid_enum_value:
      return `${field} must be one of ${issue.options.map((o) => JSON.stringify(o)).join(', ')}`;
    default:
      return `${field}: ${issue.message}`;
  }
}

/** Parses `value` with `schema` or throws HookInputError(`<where>: <field> must be …`). */
export function check<T extends z.ZodTypeAny>(schema: T, value: unknown, where: string, prefix: (string | number)[] = []): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new HookInputError(`${where}: ${formatIssue(result.error.issues[0], prefix)}`);
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
