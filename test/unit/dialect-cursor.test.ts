import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cursorDialect } from '../../src/agents/cursor';
import { HookInputError } from '../../src/agents/dialect';
import { loadPayload, mutate } from '../fixtures/payloads/loadPayload';

const CWD = '/home/dev/shop';
const CONVERSATION = '668320d2-2fd8-4888-b33c-2a466fec86e7';
const parse = (name: string) => cursorDialect.parse(loadPayload('cursor', name));

describe('cursor dialect: parse', () => {
  it('preToolUse of a write tool is a pre-edit; conversation_id is the session', () => {
    const w = parse('pre-tool-write');
    assert.equal(w.kind, 'pre-edit');
    assert.equal(w.sessionId, CONVERSATION);
    assert.equal(w.cwd, CWD);
    assert.equal(w.tool, 'Write');
    assert.deepEqual(w.paths, [`${CWD}/src/new.ts`]);
    assert.deepEqual(parse('pre-tool-edit').paths, ['src/api.ts']);
  });
  it('shell, beforeShellExecution and beforeReadFile are other with no paths (reads need no lease)', () => {
    for (const name of ['pre-tool-shell', 'before-shell', 'before-read-file']) {
      const e = parse(name);
      assert.equal(e.kind, 'other', name);
      assert.deepEqual(e.paths, []);
    }
  });
  it('afterFileEdit is a post-edit of file_path', () => {
    const e = parse('after-file-edit');
    assert.equal(e.kind, 'post-edit');
    assert.deepEqual(e.paths, [`${CWD}/src/api.ts`]);
  });
  it('session, prompt and stop events; cwd falls back to workspace_roots[0]', () => {
    assert.equal(parse('session-start').kind, 'session-start');
    const end = parse('session-end');
    assert.equal(end.kind, 'session-end');
    assert.equal(end.cwd, CWD);
    assert.equal(parse('before-submit-prompt').kind, 'prompt');
    assert.equal(parse('stop').kind, 'stop');
  });
  it('bad payloads name the field', () => {
    const bad = (name: string, changes: Record<string, unknown>, message: string) =>
      assert.throws(() => cursorDialect.parse(mutate(loadPayload('cursor', name), changes)), (e: unknown) => e instanceof HookInputError && e.message === message);
    bad('pre-tool-write', { 'tool_input.file_path': 1 }, 'cursor preToolUse: tool_input.file_path must be a string (got number)');
    bad('after-file-edit', { file_path: undefined }, 'cursor afterFileEdit: file_path must be a string (missing)');
    bad('after-file-edit', { conversation_id: undefined }, 'cursor afterFileEdit: conversation_id must be a string (missing)');
    bad('after-file-edit', { workspace_roots: 'x' }, 'cursor afterFileEdit: workspace_roots must be an array (got string)');
  });
});

describe('cursor dialect: answers', () => {
  const pre = parse('pre-tool-write');
  it('a grant is an empty object, never permission "allow"', () => {
    const a = cursorDialect.answer(pre, { kind: 'allow', warning: 'w' });
    assert.equal(a.exitCode, 0);
    assert.deepEqual(JSON.parse(a.stdout), {});
  });
  it('a deny is {"permission":"deny","user_message","agent_message"}', () => {
    const a = cursorDialect.answer(pre, { kind: 'deny', reason: 'src/new.ts is held by claude session 8f2c1a4e' });
    assert.deepEqual(JSON.parse(a.stdout), {
      permission: 'deny',
      user_message: 'src/new.ts is held by claude session 8f2c1a4e',
      agent_message: 'src/new.ts is held by claude session 8f2c1a4e',
    });
  });
  it('context reaches the model on sessionStart and postToolUse through additional_context; afterFileEdit is fire-and-forget', () => {
    assert.deepEqual(JSON.parse(cursorDialect.answer(parse('session-start'), { kind: 'ack', context: 'c' }).stdout), { additional_context: 'c' });
    assert.deepEqual(JSON.parse(cursorDialect.answer(parse('post-tool-edit'), { kind: 'ack', context: 'c' }).stdout), { additional_context: 'c' });
    assert.deepEqual(JSON.parse(cursorDialect.answer(parse('post-tool-shell'), { kind: 'ack', context: 'c' }).stdout), { additional_context: 'c' });
    assert.deepEqual(JSON.parse(cursorDialect.answer(parse('after-file-edit'), { kind: 'ack', context: 'c' }).stdout), {});
    assert.deepEqual(JSON.parse(cursorDialect.answer(parse('post-tool-edit'), { kind: 'ack' }).stdout), {}, 'nothing to say: an empty answer');
    assert.ok(cursorDialect.contextEvents?.has('postToolUse'));
  });
  it("postToolUse of an edit tool only carries context (afterFileEdit records the edit, so it is not recorded twice); the shell's is read for what it wrote", () => {
    const e = parse('post-tool-edit');
    assert.equal(e.kind, 'other');
    assert.equal(e.eventName, 'postToolUse');
    assert.equal(e.sessionId, CONVERSATION);
    assert.deepEqual(e.paths, []);
    const sh = cursorDialect.parse(mutate(loadPayload('cursor', 'post-tool-shell'), { 'tool_input.command': 'echo hi > notes.txt' }));
    assert.equal(sh.kind, 'post-edit');
    assert.deepEqual(sh.paths, [`${CWD}/notes.txt`]);
  });
});
