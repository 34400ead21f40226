import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { copilotDialect, copilotSessionIdFor, inferCopilotEvent } from '../../src/agents/copilot';
import { HookInputError } from '../../src/agents/dialect';
import { loadPayload, mutate } from '../fixtures/payloads/loadPayload';

const CWD = '/home/dev/shop';
const parse = (name: string, opts?: Parameters<typeof copilotDialect.parse>[1]) => copilotDialect.parse(loadPayload('copilot', name), opts);

describe('copilot dialect: parse', () => {
  it('the event is read from the payload shape (Copilot CLI sends no event name)', () => {
    assert.equal(inferCopilotEvent(loadPayload('copilot', 'pre-edit')), 'preToolUse');
    assert.equal(inferCopilotEvent(loadPayload('copilot', 'post-edit')), 'postToolUse');
    assert.equal(inferCopilotEvent(loadPayload('copilot', 'session-start')), 'sessionStart');
    assert.equal(inferCopilotEvent(loadPayload('copilot', 'session-end')), 'sessionEnd');
    assert.equal(inferCopilotEvent(loadPayload('copilot', 'user-prompt')), 'userPromptSubmitted');
  });
  it('edit with toolArgs as a JSON string is a pre-edit of its path', () => {
    const e = parse('pre-edit');
    assert.equal(e.kind, 'pre-edit');
    assert.equal(e.tool, 'edit');
    assert.deepEqual(e.paths, ['src/api.ts']);
    assert.equal(e.cwd, CWD);
  });
  it('create with toolArgs as an object, and the sessionId newer builds send', () => {
    const e = parse('pre-create');
    assert.equal(e.kind, 'pre-edit');
    assert.deepEqual(e.paths, [`${CWD}/src/new.ts`]);
    assert.equal(e.sessionId, '9c1f3e2a-5b7d-4e8f-a0b1-c2d3e4f5a6b7');
  });
  it('without sessionId the session is derived from cwd + agent process: stable, and distinct per process', () => {
    const a1 = parse('pre-edit', { agentPid: 4242, agentStartTime: 'boot1:100' });
    const a2 = parse('session-end', { agentPid: 4242, agentStartTime: 'boot1:100' });
    const b = parse('pre-edit', { agentPid: 4243, agentStartTime: 'boot1:200' });
    assert.equal(a1.sessionId, a2.sessionId);
    assert.notEqual(a1.sessionId, b.sessionId);
    assert.equal(a1.sessionId, copilotSessionIdFor(CWD, { agentPid: 4242, agentStartTime: 'boot1:100' }));
    assert.match(a1.sessionId, /^cwd-[0-9a-f]{16}$/);
    assert.equal(parse('pre-edit').sessionId, parse('pre-bash').sessionId);
  });
  it('bash writing nothing and view are other; post-edit, session and prompt events map', () => {
    assert.equal(copilotDialect.parse(mutate(loadPayload('copilot', 'pre-bash'), { toolArgs: JSON.stringify({ command: 'npm test' }) })).kind, 'other');
    assert.equal(parse('pre-view').kind, 'other');
    assert.deepEqual(parse('pre-view').paths, []);
    assert.equal(parse('post-edit').kind, 'post-edit');
    assert.deepEqual(parse('post-edit').paths, ['src/api.ts']);
    assert.equal(parse('session-start').kind, 'session-start');
    assert.equal(parse('session-end').kind, 'session-end');
    assert.equal(parse('user-prompt').kind, 'prompt');
  });
  it('the VS Code compatible snake_case payload (PascalCase event config) is parsed too', () => {
    const e = parse('pre-edit-vscode-compatible');
    assert.equal(e.kind, 'pre-edit');
    assert.equal(e.eventName, 'PreToolUse');
    assert.equal(e.sessionId, '9c1f3e2a-5b7d-4e8f-a0b1-c2d3e4f5a6b7');
    assert.deepEqual(e.paths, ['src/api.ts']);
  });
  it('bad payloads name the field', () => {
    const bad = (name: string, changes: Record<string, unknown>, message: string) =>
      assert.throws(() => copilotDialect.parse(mutate(loadPayload('copilot', name), changes)), (e: unknown) => e instanceof HookInputError && e.message === message);
    bad('pre-edit', { toolArgs: '{"path": ' }, 'copilot preToolUse: toolArgs must be a JSON object (a string that is not JSON)');
    bad('pre-edit', { toolArgs: JSON.stringify({ old_str: 'a' }) }, 'copilot preToolUse: toolArgs.path must be a string (missing)');
    bad('pre-edit', { toolArgs: 7 }, 'copilot preToolUse: toolArgs must be an object (got number)');
    bad('pre-edit', { cwd: undefined }, 'copilot preToolUse: cwd must be a string (missing)');
  });
});

describe('copilot dialect: answers', () => {
  const pre = parse('pre-edit');
  it('a grant prints nothing (permissionDecision "allow" would bypass approval)', () => {
    assert.deepEqual(copilotDialect.answer(pre, { kind: 'allow', warning: 'w', context: 'c' }), { stdout: '', stderr: '', exitCode: 0 });
  });
  it('a deny is {"permissionDecision":"deny","permissionDecisionReason"}', () => {
    const a = copilotDialect.answer(pre, { kind: 'deny', reason: 'held by codex' });
    assert.equal(a.exitCode, 0);
    assert.deepEqual(JSON.parse(a.stdout), { permissionDecision: 'deny', permissionDecisionReason: 'held by codex' });
  });
  it('outputs of other events are ignored by Copilot CLI: nothing printed', () => {
    assert.equal(copilotDialect.answer(parse('session-end'), { kind: 'ack', context: 'x' }).stdout, '');
  });
  it('context reaches the model as a top-level additionalContext on sessionStart, userPromptSubmitted and postToolUse', () => {
    for (const name of ['session-start', 'user-prompt', 'post-edit']) {
      assert.deepEqual(JSON.parse(copilotDialect.answer(parse(name), { kind: 'ack', context: 'c' }).stdout), { additionalContext: 'c' }, name);
    }
    assert.equal(copilotDialect.answer(parse('user-prompt'), { kind: 'ack' }).stdout, '', 'nothing to say: nothing printed');
  });
  it("the notification hook (Copilot CLI 1.0.102's payload) is Copilot's; its context goes in hookSpecificOutput", () => {
    const e = copilotDialect.parse(loadPayload('copilot', 'notification'));
    assert.equal(e.eventName, 'Notification');
    assert.equal(e.kind, 'other');
    assert.equal(e.sessionId, '43ba5f6c-08a6-46dd-8762-4c7e4ee54374');
    assert.equal(copilotDialect.detect(loadPayload('copilot', 'notification')), true);
    assert.deepEqual(JSON.parse(copilotDialect.answer(e, { kind: 'ack', context: 'c' }).stdout), { hookSpecificOutput: { hookEventName: 'Notification', additionalContext: 'c' } });
  });
});
