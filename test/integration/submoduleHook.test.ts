// Files inside a real git submodule: a submodule is its own repository, so its files are leased in
// its own store, keyed from its top folder, whether the agent works in the superproject or in the
// submodule. Before, every such edit was denied as "leaves the worktree through a symlink".
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { claudeSessionPayload, claudeToolPayload, codexApplyPatchPayload } from '../fixtures/hookPayloads';
import { ensureBuilt, runCli } from '../helpers/cli';
import { makeTempRepo, type TempRepo } from '../helpers/tempRepo';

let lib: TempRepo;
let repo: TempRepo;
let sub: string;
// Local file:// submodules are blocked by default since git 2.38.1; allow them for this test's git processes.
const gitFileProtocol = { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'protocol.file.allow', GIT_CONFIG_VALUE_0: 'always' };

before(() => {
  ensureBuilt();
  lib = makeTempRepo({ files: { 'lib.txt': 'library\n' }, prefix: 'lockstep-sublib-' });
  repo = makeTempRepo({ files: { 'README.md': '# r\n' } });
  const saved = { ...process.env };
  Object.assign(process.env, gitFileProtocol);
  try {
    repo.git('submodule', 'add', '-q', lib.root, 'vendor/lib');
  } finally {
    process.env = saved;
  }
  repo.commitAll('add submodule');
  sub = path.join(repo.root, 'vendor', 'lib');
});
after(() => {
  repo.cleanup();
  lib.cleanup();
});

function hook(payload: unknown) {
  const r = runCli(['hook'], { cwd: os.tmpdir(), input: JSON.stringify(payload), env: { LOCKSTEP_SESSION: '', LOCKSTEP_TASK: '', LOCKSTEP_FAIL_OPEN: '' } });
  assert.equal(r.status, 0, r.stderr);
  const out = r.stdout.trim() ? (JSON.parse(r.stdout) as Record<string, any>) : {};
  return { denied: out.hookSpecificOutput?.permissionDecision === 'deny', reason: (out.hookSpecificOutput?.permissionDecisionReason ?? '') as string };
}

function leases(cwd: string): Array<{ key: string; session: string; inForce: boolean }> {
  const r = runCli(['status', '--json'], { cwd, env: { LOCKSTEP_SESSION: '' } });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout).leases;
}

test('an agent in the superproject edits a submodule file: leased in the submodule, keyed from its top folder', () => {
  assert.ok(fs.statSync(path.join(sub, '.git')).isFile(), 'a real submodule (.git is a gitdir file)');
  const r = hook(claudeToolPayload('PreToolUse', 'sub-a', repo.root, path.join(sub, 'lib.txt')));
  assert.equal(r.denied, false, r.reason);
  assert.deepEqual(leases(sub).map((l) => [l.key, l.session]), [['lib.txt', 'claude:sub-a']]);
  assert.deepEqual(leases(repo.root), [], "nothing in the superproject's store");
});

test("a second session is denied it with the holder, from the superproject or inside the submodule; never 'through a symlink'", () => {
  const fromSuper = hook(claudeToolPayload('PreToolUse', 'sub-b', repo.root, 'vendor/lib/lib.txt'));
  assert.equal(fromSuper.denied, true);
  assert.match(fromSuper.reason, /lib\.txt is held by claude session sub-a.*\(in the git submodule vendor\/lib/);
  const fromInside = hook(claudeToolPayload('PreToolUse', 'sub-c', sub, 'lib.txt'));
  assert.equal(fromInside.denied, true);
  assert.match(fromInside.reason, /lib\.txt is held by claude session sub-a/);
  for (const r of [fromSuper, fromInside]) assert.doesNotMatch(r.reason, /symlink/);
});

test('one patch across the superproject and the submodule is refused with that reason, leasing nothing', () => {
  const r = hook(codexApplyPatchPayload('sub-d', repo.root, ['README.md', 'vendor/lib/other.txt']));
  assert.equal(r.denied, true);
  assert.match(r.reason, /spans 2 repositories \(the submodule vendor\/lib, .* itself\).*separate call/);
  assert.deepEqual(leases(repo.root), []);
  assert.equal(leases(sub).length, 1);
});

test("the session's end in the superproject releases its leases in the submodule", () => {
  hook(claudeSessionPayload('SessionEnd', 'sub-a', repo.root));
  assert.deepEqual(leases(sub).filter((l) => l.inForce), []);
  const next = hook(claudeToolPayload('PreToolUse', 'sub-b', repo.root, 'vendor/lib/lib.txt'));
  assert.equal(next.denied, false, next.reason);
});

test('lockstep claim of a submodule file from the superproject says where to lease it', () => {
  const r = runCli(['claim', 'vendor/lib/lib.txt', '--session', 'human:me'], { cwd: repo.root, env: { LOCKSTEP_SESSION: '' } });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /vendor\/lib\/lib\.txt: is inside vendor\/lib, a git submodule .*cd .*vendor\/lib\)/);
});
