import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clineDialect } from '../../src/agents/cline';
import { HookInputError } from '../../src/agents/dialect';
import { loadPayload, mutate } from '../fixtures/payloads/loadPayload';

const CWD = '/home/dev/shop';
const parse = (name: string) => clineDialect.parse(loadPayload('cline', name));

describe('cline dialect: parse', () => {
  it('write_to_file and replace_in_file are pre-edits of parameters.path; taskId is the session', () => {
    const w = parse('pre-write-to-file');
    assert.equal(w.kind, 'pre-edit');
    assert.equal(w.sessionId, '1730632800123');
    assert.equal(w.cwd, CWD);
    assert.deepEqual(w.paths, ['src/new.ts']);
    assert.deepEqual(parse('pre-replace-in-file').paths, ['src/api.ts']);
  });
  it('read_file and execute_command are other', () => {
    assert.equal(parse('pre-read-file').kind, 'other');
    assert.equal(parse('pre-execute-command').kind, 'other');
    assert.deepEqual(parse('pre-execute-command').paths, []);
  });
  it('PostToolUse, TaskStart/Resume, TaskComplete/Cancel, UserPromptSubmit', () => {
    assert.equal(parse('post-write-to-file').kind, 'post-edit');
    assert.deepEqual(parse('post-write-to-file').paths, ['src/new.ts']);
    assert.equal(parse('task-start').kind, 'session-start');
    assert.equal(parse('task-resume').kind, 'session-start');
    assert.equal(parse('task-complete').kind, 'session-end');
    assert.equal(parse('task-cancel').kind, 'session-end');
    assert.equal(parse('user-prompt').kind, 'prompt');
  });
  it('bad payloads name the field', () => {
    const bad = (name: string, changes: Record<string, unknown>, message: string) =>
      assert.throws(() => clineDialect.parse(mutate(loadPayload('cline', name), changes)), (e: unknown) => e instanceof HookInputError && e.message === message);
    bad('pre-write-to-file', { 'preToolUse.parameters.path': false }, 'cline PreToolUse: preToolUse.parameters.path must be a string (got boolean)');
    bad('pre-write-to-file', { preToolUse: undefined }, 'cline PreToolUse: preToolUse must be an object (missing)');
    bad('pre-write-to-file', { taskId: 12 }, 'cline PreToolUse: taskId must be a string (got number)');
    bad('task-complete', { workspaceRoots: ['relative/root'] }, 'cline TaskComplete: workspaceRoots[0] must be an absolute path');
  });
});

describe('cline dialect: answers (always JSON, exit 0: a non-zero exit blocks in Cline)', () => {
  const pre = parse('pre-write-to-file');
  it('a grant is {"cancel":false}', () => {
    assert.deepEqual(clineDialect.answer(pre, { kind: 'allow' }), { stdout: '{"cancel":false}\n', stderr: '', exitCode: 0 });
    assert.deepEqual(JSON.parse(clineDialect.answer(pre, { kind: 'allow', warning: 'w' }).stdout), { cancel: false, contextModification: 'w' });
  });
  it('a deny is {"cancel":true,"errorMessage"}', () => {
    const a = clineDialect.answer(pre, { kind: 'deny', reason: 'held' });
    assert.equal(a.exitCode, 0);
    assert.deepEqual(JSON.parse(a.stdout), { cancel: true, errorMessage: 'held' });
  });
  it('a deny on TaskStart never cancels the task', () => {
    assert.deepEqual(JSON.parse(clineDialect.answer(parse('task-start'), { kind: 'deny', reason: 'r' }).stdout), { cancel: false, contextModification: 'r' });
  });
});
