// A lease granted at Claude's PreToolUse for an edit that then does not happen (Claude's own
// permission check refused it, or the tool failed) is released; a confirmed edit's lease stays.
import assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { claudeToolPayload } from '../fixtures/hookPayloads';
import { ensureBuilt, runCli } from '../helpers/cli';
import { makeTempRepo, type TempRepo } from '../helpers/tempRepo';

let repo: TempRepo;
before(() => {
  ensureBuilt();
  repo = makeTempRepo();
});
after(() => repo.cleanup());

function hook(payload: Record<string, unknown>) {
  const r = runCli(['hook', '--agent', 'claude'], { cwd: os.tmpdir(), input: JSON.stringify(payload), env: { LOCKSTEP_SESSION: '', LOCKSTEP_TASK: '' } });
  assert.equal(r.status, 0, r.stderr);
  return r;
}
const leases = () => (JSON.parse(runCli(['status', '--json'], { cwd: repo.root }).stdout) as { leases: Array<{ key: string; session: string }> }).leases;
const base = (event: string, session: string, extra: Record<string, unknown> = {}) => ({ session_id: session, cwd: repo.root, hook_event_name: event, transcript_path: '/nonexistent.jsonl', ...extra });

test("Stop after a PreToolUse without PostToolUse releases that edit's lease; a confirmed edit's lease stays", () => {
  const pre = claudeToolPayload('PreToolUse', 'sess-refused', repo.root, path.join(repo.root, 'src/a.ts'));
  hook(pre);
  const confirmed = claudeToolPayload('PreToolUse', 'sess-refused', repo.root, path.join(repo.root, 'src/b.ts'));
  hook(confirmed);
  hook({ ...confirmed, hook_event_name: 'PostToolUse', tool_response: { success: true } });
  assert.deepEqual(leases().map((l) => l.key).sort(), ['src/a.ts', 'src/b.ts']);
  hook(base('Stop', 'sess-refused', { stop_hook_active: false }));
  assert.deepEqual(leases().map((l) => l.key), ['src/b.ts'], 'the refused edit no longer holds src/a.ts');
});

test("a sub-agent's SubagentStop releases only that sub-agent's unconfirmed leases", () => {
  const sub = { ...claudeToolPayload('PreToolUse', 'sess-sub', repo.root, path.join(repo.root, 'src/c.ts')), agent_id: 'agent-1', agent_type: 'general-purpose' };
  hook(sub);
  hook(claudeToolPayload('PreToolUse', 'sess-sub', repo.root, path.join(repo.root, 'src/d.ts')));
  hook(base('SubagentStop', 'sess-sub', { agent_id: 'agent-1', agent_type: 'general-purpose', stop_hook_active: false }));
  const mine = leases().filter((l) => l.session === 'claude:sess-sub').map((l) => l.key);
  assert.deepEqual(mine, ['src/d.ts']);
});

test('PostToolUseFailure and PermissionDenied release the lease of that call', () => {
  for (const event of ['PostToolUseFailure', 'PermissionDenied']) {
    const pre = claudeToolPayload('PreToolUse', `sess-${event}`, repo.root, path.join(repo.root, 'src/e.ts'));
    hook(pre);
    assert.ok(leases().some((l) => l.key === 'src/e.ts'));
    hook({ ...pre, hook_event_name: event, error: 'refused' });
    assert.ok(!leases().some((l) => l.key === 'src/e.ts'), `${event} released src/e.ts`);
  }
});
