// The sub-agent spawn cap through `lockstep hook`: real Claude Code Task payloads, a real repository.
import assert from 'node:assert/strict';
import * as os from 'node:os';
import { after, before, test } from 'node:test';
import { claudeSessionPayload } from '../fixtures/hookPayloads';
import { ensureBuilt, runCli } from '../helpers/cli';
import { makeTempRepo, type TempRepo } from '../helpers/tempRepo';

let repo: TempRepo;
before(() => {
  ensureBuilt();
  repo = makeTempRepo();
});
after(() => repo.cleanup());

const CLEAN_ENV = { LOCKSTEP_SESSION: '', LOCKSTEP_TASK: '', LOCKSTEP_FAIL_OPEN: '' };

function task(event: 'PreToolUse' | 'PostToolUse', session: string, n: number) {
  const p: Record<string, unknown> = {
    ...claudeSessionPayload('SessionStart', session, repo.root),
    hook_event_name: event,
    source: undefined,
    tool_name: 'Task',
    tool_input: { description: `part ${n}`, prompt: `do part ${n}`, subagent_type: 'general-purpose' },
    tool_use_id: `toolu_${session}_${n}`,
  };
  if (event === 'PostToolUse') p.tool_response = { content: [{ type: 'text', text: 'done' }] };
  const r = runCli(['hook'], { cwd: os.tmpdir(), input: JSON.stringify(p), env: CLEAN_ENV });
  assert.equal(r.status, 0, r.stderr);
  const out = r.stdout.trim() ? JSON.parse(r.stdout) : {};
  return { denied: out.hookSpecificOutput?.permissionDecision === 'deny', reason: out.hookSpecificOutput?.permissionDecisionReason as string | undefined };
}

test('a session past its sub-agent cap is denied the next spawn, with the reason and what runs; a returned sub-agent frees a slot', () => {
  assert.equal(runCli(['config', '--subagents-per-session', '2', '--subagents-per-repository', '3'], { cwd: repo.root, env: CLEAN_ENV }).status, 0);
  assert.equal(task('PreToolUse', 'lead', 1).denied, false);
  assert.equal(task('PreToolUse', 'lead', 2).denied, false);
  const third = task('PreToolUse', 'lead', 3);
  assert.equal(third.denied, true);
  assert.match(third.reason!, /this session already runs 2 sub-agents \(lockstep config --subagents-per-session\)\. Running now: claude:lead 2\./);
  task('PostToolUse', 'lead', 1);
  assert.equal(task('PreToolUse', 'lead', 3).denied, false, 'one returned: room for one more');
  // The repository's cap counts every session's sub-agents.
  assert.equal(task('PreToolUse', 'other', 1).denied, false);
  const repoCap = task('PreToolUse', 'other', 2);
  assert.equal(repoCap.denied, true);
  assert.match(repoCap.reason!, /the repository's sessions already run 3 sub-agents/);
  assert.match(repoCap.reason!, /claude:lead 2, claude:other 1/);
});
