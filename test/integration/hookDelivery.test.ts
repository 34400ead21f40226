// Notes and messages reach agents through `lockstep hook`: the real built CLI, real hook payloads,
// a real repository. Each item once per session, on events whose answer reaches the model.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as os from 'node:os';
import { after, before, test } from 'node:test';
import { claudeSessionPayload, claudeToolPayload } from '../fixtures/hookPayloads';
import { ensureBuilt, runCli } from '../helpers/cli';
import { makeTempRepo, type TempRepo } from '../helpers/tempRepo';

let repo: TempRepo;
before(() => {
  ensureBuilt();
  repo = makeTempRepo();
});
after(() => repo.cleanup());

const CLEAN_ENV = { LOCKSTEP_SESSION: '', LOCKSTEP_TASK: '', LOCKSTEP_FAIL_OPEN: '' };

function hook(payload: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) {
  const r = runCli(['hook'], { cwd: os.tmpdir(), input: JSON.stringify(payload), env: { ...CLEAN_ENV, ...env } });
  assert.equal(r.stderr, '', 'the hook wrote no error');
  const out = r.stdout.trim() ? (JSON.parse(r.stdout) as Record<string, any>) : {};
  return {
    context: out.hookSpecificOutput?.additionalContext as string | undefined,
    denied: out.hookSpecificOutput?.permissionDecision === 'deny',
    reason: out.hookSpecificOutput?.permissionDecisionReason as string | undefined,
    out,
  };
}

function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = runCli(args, { cwd: repo.root, env: { ...CLEAN_ENV, ...env } });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

const prompt = (session: string) => ({ ...claudeSessionPayload('SessionStart', session, repo.root), hook_event_name: 'UserPromptSubmit', prompt: 'go on', source: undefined });
const file = (rel: string) => `${repo.root}/${rel}`;

test('at session start an agent gets the decisions of its task and the repository, then each new note and message once', () => {
  cli(['note', 'Dates are ISO 8601 strings everywhere']);
  cli(['note', 'The API lives under /v2', '--task', 'api']);
  cli(['note', 'Buttons are blue', '--task', 'ui']);
  const start = hook(claudeSessionPayload('SessionStart', 'sess-api-1', repo.root), { LOCKSTEP_TASK: 'api' });
  assert.match(start.context ?? '', /#1 human:\S+: Dates are ISO 8601 strings everywhere/);
  assert.match(start.context ?? '', /#2 human:\S+ \(task api\): The API lives under \/v2/);
  assert.doesNotMatch(start.context ?? '', /Buttons are blue/, "another task's old decisions are not replayed");

  assert.equal(hook(prompt('sess-api-1'), { LOCKSTEP_TASK: 'api' }).context, undefined, 'nothing new: nothing said');
  cli(['send', 'claude:sess-api-1', 'Please keep the old endpoint until Friday']);
  cli(['note', 'Errors carry a code field', '--task', 'ui']);
  const next = hook(claudeToolPayload('PostToolUse', 'sess-api-1', repo.root, file('src/a.ts')), { LOCKSTEP_TASK: 'api' });
  assert.match(next.context ?? '', /message from human:\S+: Please keep the old endpoint until Friday/);
  assert.match(next.context ?? '', /\(task ui\): Errors carry a code field/);
  assert.ok(next.context!.indexOf('Please keep') < next.context!.indexOf('Errors carry'), 'oldest first');
  assert.equal(hook(prompt('sess-api-1'), { LOCKSTEP_TASK: 'api' }).context, undefined, 'delivered once');
  assert.match(cli(['inbox', '--session', 'claude:sess-api-1']), /no messages for claude:sess-api-1/, 'the hook delivery marked it read');
});

test("reading another session's inbox only peeks: that session still receives the message through its hook", () => {
  // The session's agent: a process of its own, as the hooks record it (pinned like the scheduler pins it).
  const agent = spawn('sleep', ['600'], { stdio: 'ignore' });
  const asAgent = { LOCKSTEP_AGENT_PID: String(agent.pid) };
  try {
    hook(claudeSessionPayload('SessionStart', 'sess-peeked', repo.root), asAgent);
    cli(['send', 'claude:sess-peeked', 'The schema moved to src/schema.ts']);
    const peeked = cli(['inbox', '--session', 'claude:sess-peeked']);
    assert.match(peeked, /message from human:\S+: The schema moved to src\/schema\.ts/);
    assert.match(peeked, /peeked at claude:sess-peeked's inbox: the message stays unread, for its agent to receive through its hooks/);
    // Read as another session (LOCKSTEP_SESSION): a peek too.
    assert.equal(JSON.parse(cli(['inbox', '--session', 'claude:sess-peeked', '--json'], { LOCKSTEP_SESSION: 'codex:nosy' })).peek, true);
    const next = hook(claudeToolPayload('PostToolUse', 'sess-peeked', repo.root, file('src/a.ts')), asAgent);
    assert.match(next.context ?? '', /message from human:\S+: The schema moved to src\/schema\.ts/, 'delivered by its own hook after the peeks');
    assert.equal(hook(prompt('sess-peeked'), asAgent).context, undefined, 'once');

    // The agent itself (its shell tool runs under its process) reads and consumes its own inbox.
    cli(['send', 'claude:sess-peeked', 'Use the new schema']);
    const own = JSON.parse(cli(['inbox', '--session', 'claude:sess-peeked', '--json'], asAgent));
    assert.deepEqual([own.peek, own.messages.map((m: { text: string }) => m.text)], [false, ['Use the new schema']]);
    assert.equal(hook(prompt('sess-peeked'), asAgent).context, undefined, 'read by the agent: not delivered again');
    cli(['release', '--all', '--session', 'claude:sess-peeked'], asAgent);
  } finally {
    agent.kill();
  }
});

test('an event whose answer cannot reach the model keeps the message for the next one that can', () => {
  hook(claudeSessionPayload('SessionStart', 'sess-keep', repo.root));
  cli(['send', 'claude:sess-keep', 'hold on to this']);
  // Claude's PreToolUse grant carries no context: the message waits.
  const pre = hook(claudeToolPayload('PreToolUse', 'sess-keep', repo.root, file('src/b.ts')));
  assert.equal(pre.denied, false);
  assert.deepEqual(pre.out, {});
  assert.match(hook(prompt('sess-keep')).context ?? '', /hold on to this/);
  cli(['release', '--all', '--session', 'claude:sess-keep']);
});

test('a denied edit tells the holder who waits for which file, and the denial carries what the waiter has not seen', () => {
  hook(claudeSessionPayload('SessionStart', 'holder', repo.root));
  hook(claudeSessionPayload('SessionStart', 'waiter', repo.root), { LOCKSTEP_TASK: 'docs' });
  assert.equal(hook(claudeToolPayload('PreToolUse', 'holder', repo.root, file('README.md'))).denied, false);
  cli(['send', 'claude:waiter', 'README is being rewritten by the holder']);
  const denied = hook(claudeToolPayload('PreToolUse', 'waiter', repo.root, file('README.md')), { LOCKSTEP_TASK: 'docs' });
  assert.equal(denied.denied, true);
  assert.match(denied.reason ?? '', /README\.md/);
  assert.match(denied.reason ?? '', /README is being rewritten by the holder/, 'pending messages ride on the denial');
  // Denied again: the holder is told once, not once per attempt.
  hook(claudeToolPayload('PreToolUse', 'waiter', repo.root, file('README.md')), { LOCKSTEP_TASK: 'docs' });
  const told = hook(claudeToolPayload('PostToolUse', 'holder', repo.root, file('README.md')));
  assert.match(told.context ?? '', /claude:waiter \(task docs\) is waiting for README\.md, which you hold/);
  assert.equal(told.context!.match(/is waiting for/g)!.length, 1);
  cli(['release', '--all', '--session', 'claude:holder']);
});

test('a waiter retrying a denied file tells the holder once; once the holder takes the file again, the next denial is news', () => {
  hook(claudeSessionPayload('SessionStart', 'busy-holder', repo.root));
  hook(claudeSessionPayload('SessionStart', 'retrier', repo.root));
  const holderEdits = () => hook(claudeToolPayload('PreToolUse', 'busy-holder', repo.root, file('src/busy.ts')));
  const retry = () => assert.equal(hook(claudeToolPayload('PreToolUse', 'retrier', repo.root, file('src/busy.ts'))).denied, true);
  const told = () => (hook(claudeToolPayload('PostToolUse', 'busy-holder', repo.root, file('src/busy.ts'))).context ?? '').match(/claude:retrier is waiting for src\/busy\.ts/g)?.length ?? 0;
  assert.equal(holderEdits().denied, false);
  retry();
  assert.equal(told(), 1, 'the first denial is news');
  for (let i = 0; i < 3; i++) retry(); // an agent retrying every second
  assert.equal(told(), 0, 'the same wait, the same lease: not repeated');
  cli(['release', 'src/busy.ts', '--session', 'claude:busy-holder']);
  assert.equal(holderEdits().denied, false, 'the holder takes the file again (a new lease)');
  retry();
  assert.equal(told(), 1, 'a new lease: told again');
  cli(['release', '--all', '--session', 'claude:busy-holder']);
});

test('a claim denied through the CLI tells the holder too, delivered by its next hook event that carries context', () => {
  hook(claudeSessionPayload('SessionStart', 'cli-holder', repo.root));
  assert.equal(hook(claudeToolPayload('PreToolUse', 'cli-holder', repo.root, file('src/held.ts'))).denied, false);
  const denied = runCli(['claim', 'src/held.ts', '--session', 'codex:cli-waiter', '--task', 'api'], { cwd: repo.root, env: CLEAN_ENV });
  assert.equal(denied.status, 3, 'denied');
  assert.match(denied.stderr, /src\/held\.ts is held by claude session cli-hold/);
  const told = hook(claudeToolPayload('PostToolUse', 'cli-holder', repo.root, file('src/held.ts')));
  assert.match(told.context ?? '', /codex:cli-waiter \(task api\) is waiting for src\/held\.ts, which you hold/);
  cli(['release', '--all', '--session', 'claude:cli-holder']);
});

test('send to a full mailbox is refused with exit 3 and says so; an oversized message is refused and stored nowhere', () => {
  cli(['config', '--mailbox-size', '2']);
  try {
    cli(['send', 'claude:absent', 'one']);
    cli(['send', 'claude:absent', 'two']);
    const full = runCli(['send', 'claude:absent', 'three'], { cwd: repo.root, env: CLEAN_ENV });
    assert.equal(full.status, 3);
    assert.match(full.stderr, /claude:absent's mailbox is full \(2 undelivered messages\)/);
    const big = runCli(['send', 'claude:other', 'x'.repeat(5000)], { cwd: repo.root, env: CLEAN_ENV });
    assert.equal(big.status, 1);
    assert.match(big.stderr, /5000 bytes; at most 4000/);
    assert.match(cli(['inbox', '--session', 'claude:other', '--peek']), /no messages/);
  } finally {
    cli(['config', '--mailbox-size', '20']);
  }
});

test("Cursor: a message rides on postToolUse's additional_context once; afterFileEdit (whose answer Cursor ignores) keeps it", () => {
  const conversation = 'cursor-conv-7f31';
  const base = { conversation_id: conversation, generation_id: 'gen-1', workspace_roots: [repo.root], cwd: repo.root };
  const run = (payload: Record<string, unknown>) => {
    const r = runCli(['hook'], { cwd: os.tmpdir(), input: JSON.stringify({ ...base, ...payload }), env: CLEAN_ENV });
    assert.equal(r.stderr, '', 'the hook wrote no error');
    return JSON.parse(r.stdout) as { additional_context?: string };
  };
  cli(['send', `cursor:${conversation}`, 'Rename the API client after the UI lands']);
  assert.deepEqual(run({ hook_event_name: 'afterFileEdit', file_path: file('src/a.ts'), edits: [] }), {}, 'not on afterFileEdit');
  const post = { hook_event_name: 'postToolUse', tool_name: 'Edit', tool_input: { file_path: file('src/a.ts'), old_string: 'a', new_string: 'b' }, tool_output: '{}', tool_use_id: 't1' };
  assert.match(run(post).additional_context ?? '', /message from human:\S+: Rename the API client after the UI lands/);
  assert.deepEqual(run({ ...post, tool_use_id: 't2' }), {}, 'delivered once');
});
