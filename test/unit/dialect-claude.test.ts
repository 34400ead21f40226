import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { claudeDialect } from '../../src/agents/claude';
import { HookInputError } from '../../src/agents/dialect';
import { loadPayload, mutate } from '../fixtures/payloads/loadPayload';

const CWD = '/home/dev/shop';
const SESSION = '8f2c1a4e-6b1d-4c3e-9a7f-2d5e8b0c1f34';
const parse = (name: string) => claudeDialect.parse(loadPayload('claude', name));

describe('claude dialect: parse', () => {
  it('PreToolUse Edit/Write/MultiEdit are pre-edits of tool_input.file_path', () => {
    for (const [name, tool, file] of [
      ['pre-edit', 'Edit', 'src/api.ts'],
      ['pre-write', 'Write', 'src/new.ts'],
      ['pre-multiedit', 'MultiEdit', 'src/cart.ts'],
    ] as const) {
      const e = parse(name);
      assert.equal(e.kind, 'pre-edit', name);
      assert.equal(e.agent, 'claude');
      assert.equal(e.sessionId, SESSION);
      assert.equal(e.cwd, CWD);
      assert.equal(e.tool, tool);
      assert.deepEqual(e.paths, [`${CWD}/${file}`]);
      assert.equal(e.eventName, 'PreToolUse');
      assert.match(e.transcriptPath ?? '', /\.claude\/projects\/-home-dev-shop\//);
    }
  });

  it('NotebookEdit names its file in notebook_path', () => {
    const e = parse('pre-notebook');
    assert.equal(e.kind, 'pre-edit');
    assert.deepEqual(e.paths, [`${CWD}/notebooks/eda.ipynb`]);
  });

  it('Bash and Read are other, with no paths (shell writes are caught from git status)', () => {
    for (const name of ['pre-bash', 'pre-read']) {
      const e = parse(name);
      assert.equal(e.kind, 'other');
      assert.deepEqual(e.paths, []);
      assert.ok(e.tool);
    }
  });

  it('PostToolUse of an edit tool is a post-edit', () => {
    const e = parse('post-edit');
    assert.equal(e.kind, 'post-edit');
    assert.deepEqual(e.paths, [`${CWD}/src/new.ts`]);
    assert.equal(e.eventName, 'PostToolUse');
  });

  it('a subagent edit belongs to the parent session_id', () => {
    const e = parse('subagent-pre-edit');
    assert.equal(e.sessionId, SESSION);
    assert.equal(e.kind, 'pre-edit');
  });

  it('session and turn events map to their kinds', () => {
    assert.equal(parse('session-start').kind, 'session-start');
    assert.equal(parse('session-end').kind, 'session-end');
    assert.equal(parse('user-prompt').kind, 'prompt');
    assert.equal(parse('stop').kind, 'stop');
  });

  it('extra unknown fields are accepted (agents add fields)', () => {
    const e = claudeDialect.parse(mutate(loadPayload('claude', 'pre-edit'), { future_field: { x: 1 }, 'tool_input.new_option': true }));
    assert.equal(e.kind, 'pre-edit');
  });
});

describe('claude dialect: bad payloads give one line naming the field', () => {
  const bad = (changes: Record<string, unknown>, message: string, fixture = 'pre-edit') => {
    assert.throws(
      () => claudeDialect.parse(mutate(loadPayload('claude', fixture), changes)),
      (e: unknown) => e instanceof HookInputError && e.message === message && !e.message.includes('\n'),
    );
  };
  it('wrong types', () => {
    bad({ 'tool_input.file_path': 42 }, 'claude PreToolUse: tool_input.file_path must be a string (got number)');
    bad({ session_id: 7 }, 'claude PreToolUse: session_id must be a string (got number)');
    bad({ tool_input: 'Edit src/api.ts' }, 'claude PreToolUse: tool_input must be an object (got string)');
    bad({ 'tool_input.notebook_path': ['x'] }, 'claude PreToolUse: tool_input.notebook_path must be a string (got array)', 'pre-notebook');
  });
  it('missing fields', () => {
    bad({ 'tool_input.file_path': undefined }, 'claude PreToolUse: tool_input.file_path must be a string (missing)');
    bad({ cwd: undefined }, 'claude PreToolUse: cwd must be a string (missing)');
    bad({ tool_name: undefined }, 'claude PreToolUse: tool_name must be a string (missing)');
    bad({ session_id: undefined }, 'claude SessionEnd: session_id must be a string (missing)', 'session-end');
  });
  it('empty or relative values', () => {
    bad({ 'tool_input.file_path': '' }, 'claude PreToolUse: tool_input.file_path must not be empty');
    bad({ cwd: 'home/dev/shop' }, 'claude PreToolUse: cwd must be an absolute path');
  });
});

describe('claude dialect: answers', () => {
  const pre = parse('pre-edit');
  it('a grant prints no permissionDecision at all (never "allow", which would skip the user prompt)', () => {
    const a = claudeDialect.answer(pre, { kind: 'allow' });
    assert.deepEqual(a, { stdout: '', stderr: '', exitCode: 0 });
  });
  it('a grant with a warning only adds a systemMessage', () => {
    const a = claudeDialect.answer(pre, { kind: 'allow', warning: 'src/api.ts is outside task scope' });
    assert.equal(a.exitCode, 0);
    assert.deepEqual(JSON.parse(a.stdout), { systemMessage: 'src/api.ts is outside task scope' });
    assert.doesNotMatch(a.stdout, /permissionDecision|"allow"|approve/);
  });
  it('a deny is exit 0 with hookSpecificOutput.permissionDecision "deny" and the reason', () => {
    const reason = 'src/api.ts is held by codex session 3f2a, task api, for 9 more minutes.';
    const a = claudeDialect.answer(pre, { kind: 'deny', reason });
    assert.equal(a.exitCode, 0);
    assert.equal(a.stderr, '');
    assert.deepEqual(JSON.parse(a.stdout), {
      hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: reason },
    });
  });
  it('context goes into additionalContext on SessionStart, UserPromptSubmit, PostToolUse', () => {
    for (const [name, eventName] of [
      ['session-start', 'SessionStart'],
      ['user-prompt', 'UserPromptSubmit'],
      ['post-edit', 'PostToolUse'],
    ] as const) {
      const a = claudeDialect.answer(parse(name), { kind: 'ack', context: 'mail from task api: use pageSize' });
      assert.deepEqual(JSON.parse(a.stdout), { hookSpecificOutput: { hookEventName: eventName, additionalContext: 'mail from task api: use pageSize' } });
    }
  });
  it('events without additionalContext get a systemMessage; session end with nothing to say prints nothing', () => {
    const a = claudeDialect.answer(parse('stop'), { kind: 'ack', context: 'leases released' });
    assert.deepEqual(JSON.parse(a.stdout), { systemMessage: 'leases released' });
    assert.deepEqual(claudeDialect.answer(parse('session-end'), { kind: 'ack' }), { stdout: '', stderr: '', exitCode: 0 });
  });
  it('a deny on a non-tool event never blocks (no decision, reason shown as context)', () => {
    const a = claudeDialect.answer(parse('stop'), { kind: 'deny', reason: 'nope' });
    assert.doesNotMatch(a.stdout, /deny|block/);
    assert.equal(a.exitCode, 0);
  });
  it('without a parsed event a deny still uses the PreToolUse deny format', () => {
    const a = claudeDialect.answer(undefined, { kind: 'deny', reason: 'bad input' });
    assert.equal(JSON.parse(a.stdout).hookSpecificOutput.permissionDecision, 'deny');
  });
});
