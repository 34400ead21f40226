// zod 4 issues read as zod 3 worded them, through zod/mini (the hook's schemas) and the classic API
// alike: these words reach users in one-line errors (`paths.1: Expected string, received number`).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as m from '../../src/core/zod';
import * as c from '../../src/core/zodClassic';

function first(schema: m.core.$ZodType, input: unknown): string {
  const r = m.safeParse(schema, input);
  assert.equal(r.success, false, JSON.stringify(input));
  const issue = r.error!.issues[0]!;
  return `${issue.path.join('.')}: ${issue.message}`;
}

test('mini and classic schemas give zod 3 messages', () => {
  const cases: [m.core.$ZodType, m.core.$ZodType, unknown, string][] = [
    [m.object({ a: m.string() }), c.object({ a: c.string() }), {}, 'a: Required'],
    [m.object({ a: m.string() }), c.object({ a: c.string() }), { a: 1 }, 'a: Expected string, received number'],
    [m.array(m.string()), c.array(c.string()), ['x', null], '1: Expected string, received null'],
    [m.array(m.string()), c.array(c.string()), 'x', ': Expected array, received string'],
    [m.int(), c.number().int(), 1.5, ': Expected integer, received float'],
    [m.int(), c.number().int(), 'x', ': Expected number, received string'],
    [m.array(m.string()).check(m.minLength(1)), c.array(c.string()).min(1), [], ': Array must contain at least 1 element(s)'],
    [m.string().check(m.minLength(3)), c.string().min(3), 'ab', ': String must contain at least 3 character(s)'],
    [m.string().check(m.maxLength(2)), c.string().max(2), 'abc', ': String must contain at most 2 character(s)'],
    [m.number().check(m.minimum(10)), c.number().min(10), 5, ': Number must be greater than or equal to 10'],
    [m.int().check(m.positive()), c.number().int().positive(), 0, ': Number must be greater than 0'],
    [m.number().check(m.maximum(9)), c.number().max(9), 10, ': Number must be less than or equal to 9'],
    [m.enum(['a', 'b']), c.enum(['a', 'b']), 'x', ": Invalid enum value. Expected 'a' | 'b', received 'x'"],
    [m.object({ e: m.enum(['a', 'b']) }), c.object({ e: c.enum(['a', 'b']) }), {}, 'e: Required'],
    [m.enum(['a', 'b']), c.enum(['a', 'b']), 3, ": Expected 'a' | 'b', received number"],
    [m.literal('v'), c.literal('v'), 'w', ': Invalid literal value, expected "v"'],
    [m.strictObject({ a: m.optional(m.string()) }), c.object({ a: c.string().optional() }).strict(), { b: 1, d: 2 }, ": Unrecognized key(s) in object: 'b', 'd'"],
    [m.string().check(m.regex(/^x+$/)), c.string().regex(/^x+$/), 'y', ': Invalid'],
    [m.discriminatedUnion('k', [m.object({ k: m.literal('a') }), m.object({ k: m.literal('b') })]), c.discriminatedUnion('k', [c.object({ k: c.literal('a') }), c.object({ k: c.literal('b') })]), { k: 'z' }, "k: Invalid discriminator value. Expected 'a' | 'b'"],
    [m.record(m.string().check(m.regex(/^[a-z]+$/, 'lower-case keys')), m.number()), c.record(c.string().regex(/^[a-z]+$/, 'lower-case keys'), c.number()), { A: 1 }, 'A: lower-case keys'],
    [m.string().check(m.refine((s) => s !== 'no', 'must not be no')), c.string().refine((s) => s !== 'no', 'must not be no'), 'no', ': must not be no'],
  ];
  for (const [mini, classic, input, expected] of cases) {
    assert.equal(first(mini, input), expected, `mini ${JSON.stringify(input)}`);
    assert.equal(first(classic, input), expected, `classic ${JSON.stringify(input)}`);
  }
});
