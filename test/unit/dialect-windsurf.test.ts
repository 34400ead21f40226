import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HookInputError } from '../../src/agents/dialect';
import { windsurfDialect } from '../../src/agents/windsurf';
import { loadPayload, mutate } from '../fixtures/payloads/loadPayload';

const CWD = '/home/dev/shop';
const parse = (name: string, cwd?: string) => windsurfDialect.parse(loadPayload('windsurf', name), cwd ? { cwd } : undefined);

describe('windsurf dialect: parse', () => {
  it('pre_write_code is a pre-edit of tool_info.file_path; trajectory_id is the session', () => {
    const e = parse('pre-write-code', CWD);
    assert.equal(e.kind, 'pre-edit');
    assert.equal(e.sessionId, 'f1d2e3c4-b5a6-4978-8e9f-0a1b2c3d4e5f');
    assert.deepEqual(e.paths, [`${CWD}/src/api.ts`]);
    assert.equal(e.cwd, CWD);
  });
  it('the cwd comes from the hook process, else from the absolute file path', () => {
    assert.equal(parse('pre-write-code').cwd, `${CWD}/src`);
    assert.equal(parse('pre-run-command').cwd, CWD); // tool_info.cwd
  });
  it('post_write_code, commands, reads and prompts', () => {
    assert.equal(parse('post-write-code', CWD).kind, 'post-edit');
    assert.equal(parse('pre-run-command', CWD).kind, 'other');
    assert.equal(parse('pre-read-code', CWD).kind, 'other');
    assert.deepEqual(parse('pre-read-code', CWD).paths, []);
    assert.equal(parse('pre-user-prompt', CWD).kind, 'prompt');
  });
  it('bad payloads name the field', () => {
    const bad = (changes: Record<string, unknown>, message: string) =>
      assert.throws(() => windsurfDialect.parse(mutate(loadPayload('windsurf', 'pre-write-code'), changes), { cwd: CWD }), (e: unknown) => e instanceof HookInputError && e.message === message);
    bad({ 'tool_info.file_path': 3 }, 'windsurf pre_write_code: tool_info.file_path must be a string (got number)');
    bad({ tool_info: undefined }, 'windsurf pre_write_code: tool_info must be an object (missing)');
    bad({ trajectory_id: undefined }, 'windsurf pre_write_code: trajectory_id must be a string (missing)');
    assert.throws(
      () => windsurfDialect.parse(mutate(loadPayload('windsurf', 'pre-user-prompt'), {})),
      (e: unknown) => e instanceof HookInputError && /cwd must be an absolute path/.test(e.message),
    );
  });
});

describe('windsurf dialect: answers', () => {
  const pre = parse('pre-write-code', CWD);
  it('a grant exits 0 and prints nothing', () => {
    assert.deepEqual(windsurfDialect.answer(pre, { kind: 'allow', warning: 'w' }), { stdout: '', stderr: '', exitCode: 0 });
  });
  it('a deny exits 2 with the reason on stderr', () => {
    assert.deepEqual(windsurfDialect.answer(pre, { kind: 'deny', reason: 'src/api.ts is held' }), { stdout: '', stderr: 'src/api.ts is held\n', exitCode: 2 });
  });
  it('a deny on post_write_code does not exit 2', () => {
    assert.equal(windsurfDialect.answer(parse('post-write-code', CWD), { kind: 'deny', reason: 'x' }).exitCode, 0);
  });
});
