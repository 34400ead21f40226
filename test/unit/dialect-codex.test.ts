import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { looksLikePatch, parsePatchOps, patchPaths } from '../../src/agents/applyPatch';
import { codexDialect } from '../../src/agents/codex';
import { HookInputError } from '../../src/agents/dialect';
import { loadPayload, mutate } from '../fixtures/payloads/loadPayload';

const CWD = '/home/dev/shop';
const parse = (name: string) => codexDialect.parse(loadPayload('codex', name));

describe('apply_patch path extraction', () => {
  const patch = String((loadPayload('codex', 'pre-apply-patch').tool_input as { command: string }).command);
  it('finds Add, Update, Move to and Delete headers, in order, relative or absolute', () => {
    assert.deepEqual(parsePatchOps(patch), [
      { op: 'add', path: 'src/feature/flags.ts' },
      { op: 'update', path: 'src/api.ts' },
      { op: 'move', path: 'src/http/api.ts' },
      { op: 'delete', path: 'src/legacy.ts' },
      { op: 'update', path: '/home/dev/shop/README.md' },
    ]);
  });
  it('never reads hunk content as a header, and handles CRLF and duplicates', () => {
    const text = ['*** Begin Patch', '*** Update File: a.ts', '@@', '-*** Add File: not-a-file.ts', '+*** Delete File: nor-this.ts', ' *** Update File: context.ts', '*** Update File: a.ts\r', '*** End Patch'].join('\n');
    assert.deepEqual(patchPaths(text), ['a.ts']);
  });
  it('a text with no patch names nothing', () => {
    assert.deepEqual(patchPaths('npm test'), []);
    assert.equal(looksLikePatch('npm test'), false);
    assert.equal(looksLikePatch(patch), true);
  });
});

describe('codex dialect: parse', () => {
  it('apply_patch is a pre-edit of every file the patch names, Move to included (lease all or none)', () => {
    const e = parse('pre-apply-patch');
    assert.equal(e.kind, 'pre-edit');
    assert.equal(e.agent, 'codex');
    assert.equal(e.sessionId, '019a3b5e-7c21-7f40-8e2d-5b9c1d0a4e67');
    assert.equal(e.cwd, CWD);
    assert.equal(e.tool, 'apply_patch');
    assert.deepEqual(e.paths, ['src/feature/flags.ts', 'src/api.ts', 'src/http/api.ts', 'src/legacy.ts', '/home/dev/shop/README.md']);
  });
  it('shell commands are other, unless they write files (an apply_patch heredoc included)', () => {
    const bash = parse('pre-bash');
    assert.equal(bash.kind, 'other');
    assert.deepEqual(bash.paths, []);
    const heredoc = parse('pre-bash-heredoc-patch');
    assert.equal(heredoc.kind, 'pre-edit');
    assert.deepEqual(heredoc.paths, [`${CWD}/src/cart.ts`]);
    assert.equal(heredoc.fromShell, true);
    for (const tool of ['shell', 'exec_command', 'local_shell']) {
      assert.equal(codexDialect.parse(mutate(loadPayload('codex', 'pre-bash'), { tool_name: tool })).kind, 'other');
    }
    const argv = codexDialect.parse(mutate(loadPayload('codex', 'pre-bash'), { tool_name: 'shell', 'tool_input.command': ['bash', '-lc', 'ls'] }));
    assert.equal(argv.kind, 'other');
  });
  it('PostToolUse apply_patch is a post-edit of the same files', () => {
    const e = parse('post-apply-patch');
    assert.equal(e.kind, 'post-edit');
    assert.equal(e.paths.length, 5);
  });
  it('session and turn events', () => {
    assert.equal(parse('session-start').kind, 'session-start');
    const nullTranscript = parse('session-start-null-transcript');
    assert.equal(nullTranscript.kind, 'session-start');
    assert.equal(nullTranscript.transcriptPath, undefined);
    assert.equal(parse('user-prompt').kind, 'prompt');
    assert.equal(parse('stop').kind, 'stop');
    const end = codexDialect.parse(mutate(loadPayload('codex', 'session-start'), { hook_event_name: 'SessionEnd', source: undefined }));
    assert.equal(end.kind, 'session-end');
  });
});

describe('codex dialect: bad payloads', () => {
  const bad = (changes: Record<string, unknown>, message: string) =>
    assert.throws(
      () => codexDialect.parse(mutate(loadPayload('codex', 'pre-apply-patch'), changes)),
      (e: unknown) => e instanceof HookInputError && e.message === message,
    );
  it('names the field', () => {
    bad({ 'tool_input.command': 12 }, 'codex PreToolUse: tool_input.command must be a string (got number)');
    bad({ 'tool_input.command': undefined }, 'codex PreToolUse: tool_input.command must be a string (missing)');
    bad({ cwd: 3 }, 'codex PreToolUse: cwd must be a string (got number)');
    bad({ 'tool_input.command': 'just words' }, "codex PreToolUse: tool_input.command names no file (no '*** Add/Update/Delete File:' line)");
  });
});

describe('codex dialect: answers', () => {
  const pre = parse('pre-apply-patch');
  it('a grant prints nothing (an explicit allow is refused by Codex and would skip approval)', () => {
    assert.deepEqual(codexDialect.answer(pre, { kind: 'allow' }), { stdout: '', stderr: '', exitCode: 0 });
  });
  it('a grant with context uses hookSpecificOutput.additionalContext, without any decision', () => {
    const a = codexDialect.answer(pre, { kind: 'allow', context: 'you now hold src/api.ts' });
    assert.deepEqual(JSON.parse(a.stdout), { hookSpecificOutput: { hookEventName: 'PreToolUse', additionalContext: 'you now hold src/api.ts' } });
  });
  it('a deny is permissionDecision "deny" with a non-empty reason, exit 0', () => {
    const a = codexDialect.answer(pre, { kind: 'deny', reason: 'src/api.ts is held by claude session 8f2c1a4e' });
    assert.equal(a.exitCode, 0);
    assert.deepEqual(JSON.parse(a.stdout), {
      hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: 'src/api.ts is held by claude session 8f2c1a4e' },
    });
    const empty = codexDialect.answer(pre, { kind: 'deny', reason: '  ' });
    assert.ok(JSON.parse(empty.stdout).hookSpecificOutput.permissionDecisionReason.trim().length > 0);
  });
  it('Stop accepts no hookSpecificOutput: context becomes systemMessage', () => {
    assert.deepEqual(JSON.parse(codexDialect.answer(parse('stop'), { kind: 'ack', context: 'x' }).stdout), { systemMessage: 'x' });
  });
});
