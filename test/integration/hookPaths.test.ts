// Paths an agent's hook names, resolved to keys in real repositories by real `lockstep hook` processes:
// names that only look like escapes, submodules, Lockstep's own folder, huge patches.
import assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { claudeToolPayload, codexApplyPatchPayload } from '../fixtures/hookPayloads';
import { ensureBuilt, runCli } from '../helpers/cli';
import { makeTempRepo, type TempRepo } from '../helpers/tempRepo';

let repo: TempRepo;

before(() => {
  ensureBuilt();
  repo = makeTempRepo({ files: { 'README.md': '# r\n', '..env': 'A=1\n', 'src/..config': 'x\n' } });
});
after(() => repo.cleanup());

function hook(payload: unknown, env: NodeJS.ProcessEnv = {}) {
  const r = runCli(['hook'], { cwd: os.tmpdir(), input: JSON.stringify(payload), env: { LOCKSTEP_SESSION: '', LOCKSTEP_TASK: '', LOCKSTEP_FAIL_OPEN: '', ...env } });
  const out = r.stdout.trim() ? (JSON.parse(r.stdout) as Record<string, any>) : {};
  return { ...r, denied: out.hookSpecificOutput?.permissionDecision === 'deny', reason: out.hookSpecificOutput?.permissionDecisionReason as string | undefined };
}

function leasedKeys(): string[] {
  const r = runCli(['status', '--json'], { cwd: repo.root });
  assert.equal(r.status, 0, r.stderr);
  return (JSON.parse(r.stdout).leases as Array<{ key: string }>).map((l) => l.key).sort();
}

test('files whose names begin with two dots are files, not escapes', () => {
  for (const p of ['..env', 'src/..config', './..env']) {
    const r = hook(claudeToolPayload('PreToolUse', 'sess-dots', repo.root, p));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.denied, false, `${p}: ${r.reason}`);
  }
  assert.deepEqual(leasedKeys(), ['..env', 'src/..config']);
  const up = hook(claudeToolPayload('PreToolUse', 'sess-dots', path.join(repo.root, 'src'), '../../outside'));
  assert.equal(up.denied, true);
  assert.match(up.reason!, /escapes the worktree/);
});

test(".lockstep/ (the plan, whose commands run unsandboxed) is denied to agents unless the user allows it", () => {
  const plan = path.join(repo.root, '.lockstep', 'plan.yaml');
  const denied = hook(claudeToolPayload('PreToolUse', 'sess-plan', repo.root, plan, { tool: 'Write' }));
  assert.equal(denied.denied, true);
  assert.match(denied.reason!, /^Lockstep: \.lockstep\/plan\.yaml is Lockstep's own configuration/);
  assert.ok(!leasedKeys().includes('.lockstep/plan.yaml'));
  const viaPatch = hook(claudeToolPayload('PreToolUse', 'sess-plan', repo.root, '.lockstep/other.yaml', { tool: 'Write' }));
  assert.equal(viaPatch.denied, true);

  assert.equal(runCli(['config', '--agents-edit-lockstep', 'on'], { cwd: repo.root }).status, 0);
  const allowed = hook(claudeToolPayload('PreToolUse', 'sess-plan', repo.root, plan, { tool: 'Write' }));
  assert.equal(allowed.denied, false, allowed.reason);
  assert.equal(runCli(['config', '--agents-edit-lockstep', 'off'], { cwd: repo.root }).status, 0);
});

test('a patch naming more files than one edit may lease is denied with the limit, and leases nothing', () => {
  const files = Array.from({ length: 50_000 }, (_, i) => `gen/f${i}.ts`);
  const r = hook(codexApplyPatchPayload('sess-huge', repo.root, files));
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.denied, true);
  assert.match(r.reason!, /^Lockstep: this edit touches 50000 files; at most 1000 can be leased in one edit\. Split it/);
  assert.ok(!leasedKeys().some((k) => k.startsWith('gen/')));
  const next = hook(codexApplyPatchPayload('sess-huge', repo.root, ['gen/f1.ts']));
  assert.equal(next.denied, false, next.reason);
});
