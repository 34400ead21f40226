// Case-insensitive file systems: `src/Foo.ts` and `src/foo.ts` are one file there, so one lease key.
// Whether a worktree folds names is read from the file system (`.GIT` exists exactly when `.git` does
// under another case). This machine's file systems are case-sensitive, so the folding is simulated
// the only way that check can see it: a real `.GIT` entry beside `.git`. Everything else is real
// (hook processes, the store, git status).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { claudeToolPayload } from '../fixtures/hookPayloads';
import { foldsCase } from '../../src/repoPaths/caseFolding';
import { ensureBuilt, runCli } from '../helpers/cli';
import { makeTempRepo, type TempRepo } from '../helpers/tempRepo';

let folding: TempRepo;
let plain: TempRepo;

before(() => {
  ensureBuilt();
  folding = makeTempRepo({ files: { 'src/Foo.ts': 'a\n' } });
  fs.mkdirSync(path.join(folding.root, '.GIT')); // what a case-insensitive file system answers for .GIT
  plain = makeTempRepo({ files: { 'src/Foo.ts': 'a\n' } });
});
after(() => {
  folding.cleanup();
  plain.cleanup();
});

function hook(cwd: string, session: string, file: string) {
  const r = runCli(['hook'], { cwd: os.tmpdir(), input: JSON.stringify(claudeToolPayload('PreToolUse', session, cwd, file)), env: { LOCKSTEP_SESSION: '', LOCKSTEP_TASK: '' } });
  assert.equal(r.status, 0, r.stderr);
  const out = r.stdout.trim() ? (JSON.parse(r.stdout) as Record<string, any>) : {};
  return { denied: out.hookSpecificOutput?.permissionDecision === 'deny', reason: (out.hookSpecificOutput?.permissionDecisionReason ?? '') as string };
}

function status(cwd: string) {
  const r = runCli(['status', '--json'], { cwd, env: { LOCKSTEP_SESSION: '' } });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { leases: Array<{ key: string; session: string }>; unleased: Array<{ key: string }> };
}

test('the check: a worktree folds names only when .GIT answers', () => {
  assert.equal(foldsCase(fs.realpathSync(folding.root)), true);
  assert.equal(foldsCase(fs.realpathSync(plain.root)), false, 'this machine: case-sensitive');
});

test('where names fold, two case variants of one file are one key: the second session is denied', () => {
  assert.equal(hook(folding.root, 'case-a', 'src/Foo.ts').denied, false);
  const other = hook(folding.root, 'case-b', 'SRC/foo.TS');
  assert.equal(other.denied, true);
  assert.match(other.reason, /src\/foo\.ts is held by claude session case-a/);
  assert.deepEqual(status(folding.root).leases.map((l) => l.key), ['src/foo.ts']);
  const gitDir = hook(folding.root, 'case-a', '.GIT/config');
  assert.equal(gitDir.denied, true, '.GIT is .git there');
  assert.match(gitDir.reason, /\.git/);
});

test("where names fold, the holder's uncommitted change (git names it src/Foo.ts) is not an unleased edit", () => {
  fs.writeFileSync(path.join(folding.root, 'src/Foo.ts'), 'b\n');
  assert.deepEqual(status(folding.root).unleased, []);
});

test('where names do not fold, the two names are two files and two keys', () => {
  assert.equal(hook(plain.root, 'case-a', 'src/Foo.ts').denied, false);
  assert.equal(hook(plain.root, 'case-b', 'src/foo.ts').denied, false);
  assert.deepEqual(status(plain.root).leases.map((l) => l.key).sort(), ['src/Foo.ts', 'src/foo.ts']);
});
