// The landing engine on real temp repositories: verification processes (failing, hanging, loud),
// the checkout of the target (dirty / clean), undo, and non-ASCII names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeTempRepo, type TempRepo } from '../helpers/tempRepo';
import { land } from '../../src/git/landing';
import { undoLastLanding } from '../../src/git/landingUndo';
import { checkFolders, commitOnBranch, extraWorktrees, fileAt, refsUnder } from './fixtures/landingRepo';

const NODE = process.execPath;

function withRepo(fn: (repo: TempRepo, base: string) => Promise<void>, opts: { prefix?: string; files?: Record<string, string> } = {}) {
  return async () => {
    const repo = makeTempRepo({ files: opts.files ?? { 'README.md': '# r\n', 'shared.txt': 'one\ntwo\nthree\n', 'src/a.ts': 'export const a = 1;\n' }, prefix: opts.prefix });
    try {
      await fn(repo, repo.git('rev-parse', 'HEAD'));
    } finally {
      repo.cleanup();
    }
  };
}

/** Dead: no such process, or a zombie nobody reaped yet (this container's init does not reap). */
function isGone(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') ?? true;
  } catch {
    return true;
  }
}

function assertNoLeftovers(repo: TempRepo) {
  assert.deepEqual(extraWorktrees(repo), [], 'no temporary worktrees');
  assert.deepEqual(checkFolders(repo), [], 'no check folders');
  assert.deepEqual(refsUnder(repo, 'refs/lockstep/tmp/'), [], 'no temporary refs');
}

test('a failing check leaves the target untouched, keeps the output and names the task that broke it', withRepo(async (repo, base) => {
  commitOnBranch(repo, 'lockstep/a', base, { 'a.txt': 'a\n' });
  commitOnBranch(repo, 'lockstep/breaks', base, { 'BROKEN': 'yes\n' });
  commitOnBranch(repo, 'lockstep/c', base, { 'c.txt': 'c\n' });
  const verify = { command: [NODE, '-e', "if (require('fs').existsSync('BROKEN')) { console.error('test failed: BROKEN is present'); process.exit(2) }"], timeoutMs: 30_000, maxOutputBytes: 10_000 };
  const r = await land({
    repoDir: repo.root,
    target: 'main',
    tasks: [{ id: 'a', branch: 'lockstep/a' }, { id: 'breaks', branch: 'lockstep/breaks' }, { id: 'c', branch: 'lockstep/c' }],
    atomic: true,
    verify,
  });
  assert.equal(r.ok, false);
  assert.equal(r.culprit?.task, 'breaks');
  assert.equal(r.culprit?.kind, 'check');
  assert.equal(r.culprit?.exitCode, 2);
  assert.match(r.culprit?.output ?? '', /test failed: BROKEN is present/);
  assert.equal(repo.git('rev-parse', 'main'), base);
  assert.equal(repo.git('status', '--porcelain'), '');
  assertNoLeftovers(repo);
}));

test('a hanging check is killed at its timeout, with every process it started', withRepo(async (repo, base) => {
  commitOnBranch(repo, 'lockstep/slow', base, { 'x.txt': 'x\n' });
  const pidFile = path.join(path.dirname(repo.root), 'grandchild.pid');
  const script = `const { spawn } = require('child_process');
const g = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(g.pid));
console.log('started'); setInterval(() => {}, 1000);`;
  const r = await land({ repoDir: repo.root, target: 'main', tasks: [{ id: 'slow', branch: 'lockstep/slow' }], atomic: true, verify: { command: [NODE, '-e', script], timeoutMs: 1500, maxOutputBytes: 10_000 } });
  assert.equal(r.ok, false);
  assert.equal(r.culprit?.kind, 'check');
  assert.equal(r.culprit?.timedOut, true);
  assert.match(r.culprit?.output ?? '', /started[\s\S]*killed after 1500 ms/);
  const grandchild = Number(fs.readFileSync(pidFile, 'utf8'));
  assert.equal(isGone(grandchild), true, 'the grandchild was killed with the group');
  assert.equal(repo.git('rev-parse', 'main'), base);
  assertNoLeftovers(repo);
}));

test('a check printing megabytes keeps only the head and tail of its output', withRepo(async (repo, base) => {
  commitOnBranch(repo, 'lockstep/loud', base, { 'x.txt': 'x\n' });
  const script = "process.stdout.write('HEAD-MARK\\n' + 'x'.repeat(5 * 1024 * 1024) + '\\nTAIL-MARK\\n', () => process.exit(3))";
  const r = await land({ repoDir: repo.root, target: 'main', tasks: [{ id: 'loud', branch: 'lockstep/loud' }], atomic: true, verify: { command: [NODE, '-e', script], timeoutMs: 30_000, maxOutputBytes: 8192 } });
  assert.equal(r.culprit?.exitCode, 3);
  const out = r.culprit?.output ?? '';
  assert.ok(out.length < 8192 + 200, `capped (${out.length})`);
  assert.match(out, /^HEAD-MARK/);
  assert.match(out, /TAIL-MARK\n$/);
  assert.match(out, /\[\.\.\. \d+ bytes omitted \.\.\.\]/);
}));

test('refuses when the main checkout has uncommitted changes to files the landing touches, naming them', withRepo(async (repo, base) => {
  commitOnBranch(repo, 'lockstep/t1', base, { 'shared.txt': 'ONE\ntwo\nthree\n', 'added.txt': 'new\n' });
  repo.write('shared.txt', 'my local edit\n');
  repo.write('added.txt', 'my untracked file\n');
  repo.write('unrelated.txt', 'mine\n');
  const r = await land({ repoDir: repo.root, target: 'main', tasks: [{ id: 't1', branch: 'lockstep/t1' }], atomic: true });
  assert.equal(r.ok, false);
  assert.equal(r.refused?.kind, 'dirty-checkout');
  assert.deepEqual(r.refused?.paths, ['added.txt', 'shared.txt']);
  assert.match(r.refused?.reason ?? '', /uncommitted changes to files the landing changes: added\.txt, shared\.txt/);
  assert.equal(repo.git('rev-parse', 'main'), base);
  assert.equal(fs.readFileSync(path.join(repo.root, 'shared.txt'), 'utf8'), 'my local edit\n', 'local edit kept');
}));

test('refuses when an untracked file in the main checkout is in the way of a landed folder', withRepo(async (repo, base) => {
  commitOnBranch(repo, 'lockstep/t1', base, { 'dir/file.txt': 'x\n' });
  repo.write('dir', 'a file where the landing puts a folder\n');
  const r = await land({ repoDir: repo.root, target: 'main', tasks: [{ id: 't1', branch: 'lockstep/t1' }], atomic: true });
  assert.equal(r.refused?.kind, 'dirty-checkout');
  assert.deepEqual(r.refused?.paths, ['dir']);
  assert.match(r.refused?.reason ?? '', /Untracked working tree file 'dir' would be overwritten/);
  assert.equal(repo.git('rev-parse', 'main'), base);
  assert.equal(fs.readFileSync(path.join(repo.root, 'dir'), 'utf8'), 'a file where the landing puts a folder\n');
}));

test('updates a main checkout whose local changes do not touch the landed files, keeping those changes', withRepo(async (repo, base) => {
  commitOnBranch(repo, 'lockstep/t1', base, { 'shared.txt': 'ONE\ntwo\nthree\n' });
  repo.write('src/a.ts', 'export const a = 42; // local\n');
  repo.write('scratch.txt', 'untracked\n');
  const r = await land({ repoDir: repo.root, target: 'main', tasks: [{ id: 't1', branch: 'lockstep/t1' }], atomic: true });
  assert.equal(r.ok, true);
  assert.deepEqual(r.checkoutErrors, []);
  assert.equal(fs.readFileSync(path.join(repo.root, 'shared.txt'), 'utf8'), 'ONE\ntwo\nthree\n');
  assert.equal(fs.readFileSync(path.join(repo.root, 'src/a.ts'), 'utf8'), 'export const a = 42; // local\n');
  assert.deepEqual(repo.git('status', '--porcelain').split('\n').sort(), ['?? scratch.txt', 'M src/a.ts']);
}));

test('undo restores the previous tip when nothing landed since, and refuses otherwise', withRepo(async (repo, base) => {
  commitOnBranch(repo, 'lockstep/t1', base, { 't1.txt': '1\n' });
  commitOnBranch(repo, 'lockstep/t2', base, { 't2.txt': '2\n' });
  const first = await land({ repoDir: repo.root, target: 'main', tasks: [{ id: 't1', branch: 'lockstep/t1' }], atomic: true });
  const second = await land({ repoDir: repo.root, target: 'main', tasks: [{ id: 't2', branch: 'lockstep/t2' }], atomic: true });
  assert.deepEqual([first.landings, second.landings], [[1], [2]]);

  const u = await undoLastLanding(repo.root, 'main');
  assert.equal(u.ok, true);
  assert.ok(u.ok && u.landing === 2 && u.restored === first.after && u.undone === second.after);
  assert.ok(u.ok && u.tasks[0].id === 't2');
  assert.equal(repo.git('rev-parse', 'main'), first.after);
  assert.equal(fs.existsSync(path.join(repo.root, 't2.txt')), false, 'checkout follows');
  assert.equal(repo.git('status', '--porcelain'), '');
  assert.deepEqual(refsUnder(repo, 'refs/lockstep/undone/'), ['refs/lockstep/undone/2']);

  // someone commits on main after landing 1: undoing it now would drop their work
  commitOnBranch(repo, 'main', first.after, { 'theirs.txt': 't\n' });
  repo.git('read-tree', '-m', '-u', first.after, 'main');
  const refused = await undoLastLanding(repo.root, 'main');
  assert.equal(refused.ok, false);
  assert.match(!refused.ok ? refused.reason : '', /^main is at [0-9a-f]{12}, not at the result of landing 1 \([0-9a-f]{12}\): something landed or moved since; undo refused$/);
  assert.equal(fileAt(repo, 'main', 'theirs.txt'), 't\n');
  const none = await undoLastLanding(repo.root, 'other');
  assert.deepEqual(none, { ok: false, reason: 'no landing onto other is recorded' });
}));

