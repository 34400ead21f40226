import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HookInputError } from '../../src/agents/dialect';
import { geminiDialect } from '../../src/agents/gemini';
import { loadPayload, mutate } from '../fixtures/payloads/loadPayload';

const CWD = '/home/dev/shop';
const parse = (name: string) => geminiDialect.parse(loadPayload('gemini', name));

describe('gemini dialect: parse', () => {
  it('BeforeTool write_file and replace are pre-edits of tool_input.file_path', () => {
    const w = parse('before-write-file');
    assert.equal(w.kind, 'pre-edit');
    assert.equal(w.tool, 'write_file');
    assert.deepEqual(w.paths, [`${CWD}/src/new.ts`]);
    assert.equal(w.sessionId, 'c0ffee00-1234-4abc-8def-0123456789ab');
    assert.equal(w.eventName, 'BeforeTool');
    const r = parse('before-replace');
    assert.equal(r.kind, 'pre-edit');
    assert.deepEqual(r.paths, [`${CWD}/src/api.ts`]);
  });
  it('shell and read tools are other with no paths', () => {
    for (const name of ['before-shell', 'before-read']) {
      const e = parse(name);
      assert.equal(e.kind, 'other');
      assert.deepEqual(e.paths, []);
    }
  });
  it('AfterTool write_file is a post-edit; session and agent events map', () => {
    assert.equal(parse('after-write-file').kind, 'post-edit');
    assert.equal(parse('session-start').kind, 'session-start');
    assert.equal(parse('session-end').kind, 'session-end');
    assert.equal(parse('before-agent').kind, 'prompt');
  });
  it('bad payloads name the field', () => {
    assert.throws(
      () => geminiDialect.parse(mutate(loadPayload('gemini', 'before-replace'), { 'tool_input.file_path': null })),
      (e: unknown) => e instanceof HookInputError && e.message === 'gemini BeforeTool: tool_input.file_path must be a string (got null)',
    );
    assert.throws(
      () => geminiDialect.parse(mutate(loadPayload('gemini', 'before-write-file'), { tool_input: undefined })),
      (e: unknown) => e instanceof HookInputError && e.message === 'gemini BeforeTool: tool_input must be an object (missing)',
    );
  });
});

describe('gemini dialect: answers', () => {
  const pre = parse('before-write-file');
  it('a grant is an empty JSON object (no decision:"allow")', () => {
    const a = geminiDialect.answer(pre, { kind: 'allow' });
    assert.equal(a.exitCode, 0);
    assert.deepEqual(JSON.parse(a.stdout), {});
  });
  it('a deny is {"decision":"deny","reason"} on stdout, exit 0', () => {
    const a = geminiDialect.answer(pre, { kind: 'deny', reason: 'held by claude' });
    assert.equal(a.exitCode, 0);
    assert.deepEqual(JSON.parse(a.stdout), { decision: 'deny', reason: 'held by claude' });
  });
  it('a warning on a grant is a systemMessage; context on AfterTool/SessionStart is additionalContext', () => {
    assert.deepEqual(JSON.parse(geminiDialect.answer(pre, { kind: 'allow', warning: 'w' }).stdout), { systemMessage: 'w' });
    assert.deepEqual(JSON.parse(geminiDialect.answer(parse('session-start'), { kind: 'ack', context: 'c' }).stdout), {
      hookSpecificOutput: { hookEventName: 'SessionStart', additionalContext: 'c' },
    });
  });
  it('a deny on SessionEnd never blocks', () => {
    assert.doesNotMatch(geminiDialect.answer(parse('session-end'), { kind: 'deny', reason: 'x' }).stdout, /deny/);
  });
});
