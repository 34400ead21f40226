import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HookInputError } from '../../src/agents/dialect';
import { vscodeDialect } from '../../src/agents/vscodeAgent';
import { loadPayload, mutate } from '../fixtures/payloads/loadPayload';

const CWD = '/home/dev/shop';
const parse = (name: string) => vscodeDialect.parse(loadPayload('vscode', name));

describe('vscode dialect: parse', () => {
  it('single-file edit tools name tool_input.filePath (camelCase)', () => {
    for (const [name, tool, file] of [
      ['pre-create-file', 'create_file', 'src/new.ts'],
      ['pre-replace-string', 'replace_string_in_file', 'src/api.ts'],
      ['pre-insert-edit', 'insert_edit_into_file', 'src/cart.ts'],
      ['pre-edit-notebook', 'edit_notebook_file', 'notebooks/eda.ipynb'],
    ] as const) {
      const e = parse(name);
      assert.equal(e.kind, 'pre-edit', name);
      assert.equal(e.agent, 'vscode');
      assert.equal(e.tool, tool);
      assert.deepEqual(e.paths, [`${CWD}/${file}`]);
      assert.equal(e.sessionId, 'd3b07384-d113-4ec6-a1b2-9f7c5a2e8c10');
    }
  });
  it('multi_replace_string_in_file leases each distinct file once', () => {
    assert.deepEqual(parse('pre-multi-replace').paths, [`${CWD}/src/api.ts`, `${CWD}/src/cart.ts`]);
  });
  it('apply_patch names files through its patch text', () => {
    assert.deepEqual(parse('pre-apply-patch').paths, [`${CWD}/src/api.ts`, `${CWD}/src/b.ts`]);
  });
  it('terminal and read tools are other', () => {
    for (const name of ['pre-run-in-terminal', 'pre-read-file']) {
      const e = parse(name);
      assert.equal(e.kind, 'other');
      assert.deepEqual(e.paths, []);
    }
  });
  it('a newer write tool with filePaths still counts as an edit', () => {
    const e = vscodeDialect.parse(mutate(loadPayload('vscode', 'pre-read-file'), { tool_name: 'delete_files', tool_input: { explanation: 'x', filePaths: ['/a/x.ts', '/a/y.ts'] } }));
    assert.equal(e.kind, 'pre-edit');
    assert.deepEqual(e.paths, ['/a/x.ts', '/a/y.ts']);
  });
  it('PostToolUse, SessionStart, UserPromptSubmit, Stop', () => {
    assert.equal(parse('post-replace-string').kind, 'post-edit');
    assert.equal(parse('session-start').kind, 'session-start');
    assert.equal(parse('user-prompt').kind, 'prompt');
    assert.equal(parse('stop').kind, 'stop');
  });
  it('bad payloads name the field', () => {
    const bad = (name: string, changes: Record<string, unknown>, message: string) =>
      assert.throws(() => vscodeDialect.parse(mutate(loadPayload('vscode', name), changes)), (e: unknown) => e instanceof HookInputError && e.message === message);
    bad('pre-replace-string', { 'tool_input.filePath': 5 }, 'vscode PreToolUse: tool_input.filePath must be a string (got number)');
    bad('pre-multi-replace', { 'tool_input.replacements': [{ filePath: '/a' }, { oldString: 'x' }] }, 'vscode PreToolUse: tool_input.replacements[1].filePath must be a string (missing)');
    bad('pre-create-file', { sessionId: undefined, session_id: 'x' }, 'vscode PreToolUse: sessionId must be a string (missing)');
  });
});

describe('vscode dialect: answers', () => {
  const pre = parse('pre-replace-string');
  it('a grant carries no permissionDecision', () => {
    assert.deepEqual(vscodeDialect.answer(pre, { kind: 'allow' }), { stdout: '', stderr: '', exitCode: 0 });
    const withContext = vscodeDialect.answer(pre, { kind: 'allow', context: 'c' });
    assert.deepEqual(JSON.parse(withContext.stdout), { hookSpecificOutput: { hookEventName: 'PreToolUse', additionalContext: 'c' } });
  });
  it('a deny is hookSpecificOutput.permissionDecision "deny"', () => {
    const a = vscodeDialect.answer(pre, { kind: 'deny', reason: 'held' });
    assert.equal(a.exitCode, 0);
    assert.deepEqual(JSON.parse(a.stdout), { hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: 'held' } });
  });
  it('PostToolUse and UserPromptSubmit only read the common output: context is a systemMessage', () => {
    assert.deepEqual(JSON.parse(vscodeDialect.answer(parse('post-replace-string'), { kind: 'ack', context: 'c' }).stdout), { systemMessage: 'c' });
  });
});
