// zod 4 through its tree-shakable functional API (zod/mini), with issues worded as zod 3 worded them:
// the words users see in one-line errors ("paths.1: Expected string, received number", "reason:
// Required"). Schema files import z from here (or from zodClassic.ts), so the wording is set before
// anything parses, in every bundle; a schema's own message (refine, { message }) still wins.
import { config } from 'zod/mini';
import type * as core from 'zod/v4/core';

export * from 'zod/mini';

/** zod 3's name for the type of a value: "received number", "received null", "received array". */
export function receivedType(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isNaN(v) ? 'nan' : 'number';
  if (v instanceof Date) return 'date';
  if (v instanceof Map) return 'map';
  if (v instanceof Set) return 'set';
  if (typeof v === 'object' && typeof (v as { then?: unknown }).then === 'function') return 'promise';
  return typeof v;
}

/** zod 3's list of allowed values: 'a' | 'b' | 3. */
function joinValues(values: readonly unknown[]): string {
  return values.map((v) => (typeof v === 'string' ? `'${v}'` : String(v))).join(' | ');
}

type Raw = core.$ZodRawIssue & { input?: unknown; inst?: { _zod: { def: { type?: string } } } };

/** The message zod 3 gave the same problem; undefined leaves zod's own. */
export function zod3Message(issue: core.$ZodRawIssue): string | undefined {
  const iss = issue as Raw;
  switch (iss.code) {
    case 'invalid_type': {
      if (iss.input === undefined) return 'Required';
      if (iss.expected === 'int') return `Expected integer, received ${typeof iss.input === 'number' ? 'float' : receivedType(iss.input)}`;
      return `Expected ${iss.expected}, received ${receivedType(iss.input)}`;
    }
    case 'invalid_value':
      if (iss.inst?._zod.def.type === 'literal' && iss.values.length === 1) return `Invalid literal value, expected ${JSON.stringify(iss.values[0])}`;
      // An enum of strings: zod 3 checked the type first.
      if (iss.input === undefined) return 'Required';
      if (typeof iss.input !== 'string') return `Expected ${joinValues(iss.values)}, received ${receivedType(iss.input)}`;
      return `Invalid enum value. Expected ${joinValues(iss.values)}, received '${iss.input}'`;
    case 'unrecognized_keys':
      return `Unrecognized key(s) in object: ${iss.keys.map((k) => `'${k}'`).join(', ')}`;
    case 'invalid_union': {
      const options = (iss as { options?: unknown[] }).options;
      return (iss as { note?: string }).note === 'No matching discriminator' && options ? `Invalid discriminator value. Expected ${joinValues(options)}` : 'Invalid input';
    }
    case 'too_small':
    case 'too_big': {
      const small = iss.code === 'too_small';
      const n = Number(small ? (iss as core.$ZodIssueTooSmall).minimum : (iss as core.$ZodIssueTooBig).maximum);
      const { exact, inclusive } = iss as { exact?: boolean; inclusive?: boolean };
      const bound = exact ? 'exactly' : small ? (inclusive ? 'at least' : 'more than') : inclusive ? 'at most' : 'less than';
      if (iss.origin === 'array' || iss.origin === 'set') return `Array must contain ${bound} ${n} element(s)`;
      if (iss.origin === 'string') return `String must contain ${exact ? 'exactly' : small ? (inclusive ? 'at least' : 'over') : inclusive ? 'at most' : 'under'} ${n} character(s)`;
      const rel = exact ? 'exactly equal to' : small ? (inclusive ? 'greater than or equal to' : 'greater than') : inclusive ? 'less than or equal to' : 'less than';
      return `Number must be ${rel} ${n}`;
    }
    case 'invalid_format': {
      const f = iss as core.$ZodIssueInvalidStringFormat;
      if (f.format === 'regex') return 'Invalid';
      if (f.format === 'starts_with') return `Invalid input: must start with "${(f as core.$ZodIssueStringStartsWith).prefix}"`;
      if (f.format === 'ends_with') return `Invalid input: must end with "${(f as core.$ZodIssueStringEndsWith).suffix}"`;
      if (f.format === 'includes') return `Invalid input: must include "${(f as core.$ZodIssueStringIncludes).includes}"`;
      return `Invalid ${f.format}`;
    }
    case 'invalid_key':
    case 'invalid_element':
      // zod 3 reported the key's (or element's) own problem at its path.
      return iss.issues[0]?.message ?? 'Invalid input';
    case 'not_multiple_of':
      return `Number must be a multiple of ${String(iss.divisor)}`;
    default:
      return 'Invalid input';
  }
}

config({ customError: zod3Message });
