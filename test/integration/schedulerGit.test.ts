// The scheduler's git edges on real repositories: a crash half-way through a worktree creation, a
// branch checked out elsewhere, abandon keeping work, paths with spaces and non-ASCII, concurrent git
// (lock contention), submodules.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureBuilt } from '../helpers/cli';
import { makeTempRepo } from '../helpers/tempRepo';
import { killStartInsideWorktreeAdd, makeSchedRepo, untilStatus, withSchedRepo, type SchedRepo } from '../fixtures/plans/schedulerRepo';
import { adminDirFor, listWorktrees } from '../../src/git/worktrees';

before(() => ensureBuilt());

const withRepo = withSchedRepo;
const until = untilStatus;

test('a start killed in the middle of `git worktree add` is noticed, released, and repaired by the next start', withRepo(async (r) => {
  r.writePlan({ tasks: [{ id: 'crash', scope: ['src/**'], sim: { edits: [{ path: 'src/a.ts', content: 'after repair\n' }], commit: 'crash task' } }] });
  // A post-checkout hook runs inside `git worktree add`: it marks that we are there, then hangs.
  await killStartInsideWorktreeAdd(r, 'crash');

  const s = r.scheduler();
  const listed = (await s.list()).tasks[0]!;
  assert.equal(listed.status, 'failed');
  assert.match(listed.reasons[0]!, /start interrupted: the process starting it \(pid \d+\) ended; start it again to repair and resume/);
  assert.equal(s.store.read().reservations.crash, undefined, 'the crashed start no longer reserves its scope');

  // What a crash during the checkout itself leaves: the registration without its index.
  const wtPath = path.join(path.dirname(r.repo.root), 'repo-worktrees', 'crash');
  const admin = adminDirFor(fs.realpathSync(path.join(r.repo.root, '.git')), wtPath);
  assert.ok(admin, 'the half-made worktree is registered');
  fs.rmSync(path.join(admin, 'index'), { force: true });
  fs.rmSync(path.join(wtPath, 'src'), { recursive: true, force: true });

  const again = await s.start('crash');
  assert.match(again.notes.join('\n'), /repaired a worktree left half-created/);
  const res = await r.result('crash');
  assert.deepEqual(res.allowed, ['src/a.ts']);
  assert.equal(fs.readFileSync(path.join(wtPath, 'src', 'b.ts'), 'utf8'), 'export const b = 2;\n', 'the checkout was completed');
  await until(s, 'crash', 'finished');
  assert.equal((await listWorktrees(r.repo.root)).filter((w) => w.branch === 'lockstep/crash').length, 1);
}));

test('abandon keeps a dirty worktree and an unmerged branch and says so; removes clean, merged ones', withRepo(async (r) => {
  r.writePlan({
    tasks: [
      { id: 'keep', scope: ['src/**'], sim: { edits: [{ path: 'src/a.ts', content: 'kept work\n' }], commit: 'work to keep' } },
      { id: 'drop', scope: ['docs/**'], sim: {} },
    ],
  });
  const s = r.scheduler();
  const keep = await s.start('keep');
  await until(s, 'keep', 'finished');
  fs.writeFileSync(path.join(keep.task.worktree!, 'notes.txt'), 'not committed\n');
  const out = await s.abandon('keep');
  assert.deepEqual(out.removed, []);
  assert.deepEqual(out.kept.map((k) => k.kind), ['worktree', 'branch']);
  assert.match(out.kept[0]!.why, /uncommitted changes \(notes\.txt\)/);
  assert.match(out.kept[1]!.why, /1 commit\(s\) not merged into main/);
  assert.match(out.message, /kept worktree .*keep: it has uncommitted changes \(notes\.txt\); kept branch lockstep\/keep: it has 1 commit\(s\) not merged into main/);
  assert.equal(fs.readFileSync(path.join(keep.task.worktree!, 'notes.txt'), 'utf8'), 'not committed\n');
  assert.ok(r.repo.git('rev-parse', '--verify', 'refs/heads/lockstep/keep'));
  assert.equal(out.task.status, 'failed');
  assert.match(out.task.reasons[0]!, /abandoned/);

  const drop = await s.start('drop');
  await until(s, 'drop', 'finished');
  const gone = await s.abandon('drop');
  assert.deepEqual(gone.kept, []);
  assert.deepEqual(gone.removed, [`worktree ${drop.task.worktree}`, 'branch lockstep/drop']);
  assert.equal(fs.existsSync(drop.task.worktree!), false);
  assert.equal(r.repo.git('branch', '--list', 'lockstep/drop'), '');
}));

test('a task branch checked out elsewhere refuses the start, rolls back, and keeps that branch', withRepo(async (r) => {
  r.writePlan({ tasks: [{ id: 't1', scope: ['src/**'], sim: {} }] });
  const other = r.repo.addWorktree('elsewhere', 'lockstep/t1');
  const s = r.scheduler();
  await assert.rejects(s.start('t1'), (e: Error) => e.message.includes(`branch lockstep/t1 is already checked out at ${other}`) && /kept branch lockstep\/t1 \(it existed before this start\)/.test(e.message));
  const t = (await s.list()).tasks[0]!;
  assert.equal(t.status, 'failed');
  assert.match(t.reasons[0]!, /start failed: branch lockstep\/t1 is already checked out/);
  assert.equal(s.store.read().reservations.t1, undefined);
  assert.equal(s.store.read().sessions['claude:lockstep-t1'], undefined, 'no session was registered');
  assert.ok(fs.existsSync(other));
  assert.equal(fs.existsSync(path.join(path.dirname(r.repo.root), 'repo-worktrees', 't1')), false);
}));

test('paths with spaces and non-ASCII, concurrent starts, and a held ref lock (git retries)', withRepo(async (r) => {
  r.writePlan({
    tasks: [
      { id: 'one', scope: ['src/a.ts'], sim: { edits: [{ path: 'src/a.ts', content: 'un\n' }], commit: 'one' } },
      { id: 'two', scope: ['docs/**'], sim: { edits: [{ path: 'docs/été.md', content: 'deux\n' }], commit: 'two' } },
    ],
  });
  // Another git holds the ref lock of one task branch for a moment.
  const lock = path.join(r.repo.root, '.git', 'refs', 'heads', 'lockstep', 'one.lock');
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  fs.writeFileSync(lock, '');
  const s = r.scheduler();
  const starts = Promise.all([s.start('one'), s.start('two')]);
  // Held from before the start until well after it tried to create the branch (git retries ~2 s).
  const end = Date.now() + 20_000;
  while (s.store.read().tasks.one?.state.status !== 'running' && Date.now() < end) await new Promise((res) => setTimeout(res, 10));
  await new Promise((res) => setTimeout(res, 1200));
  fs.rmSync(lock, { force: true });
  const [one, two] = await starts;
  assert.match(one.task.worktree!, /lockstep sché dülé .*\/repo-worktrees\/one$/);
  const [r1, r2] = [await r.result('one'), await r.result('two')];
  assert.deepEqual(r1.allowed, ['src/a.ts']);
  assert.deepEqual(r2.allowed, ['docs/été.md']);
  assert.equal(r2.cwd, two.task.worktree);
  await until(s, 'one', 'finished');
  await until(s, 'two', 'finished');
  const landed = await s.land(['one', 'two']);
  assert.equal(landed.ok, true, landed.message);
  assert.equal(r.repo.git('show', 'main:docs/été.md'), 'deux');
}, { prefix: 'lockstep sché dülé ' }));

test('submodules are initialized in the new worktree', async () => {
  const saved = { ...process.env };
  Object.assign(process.env, { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'protocol.file.allow', GIT_CONFIG_VALUE_0: 'always' });
  const lib = makeTempRepo({ files: { 'lib.txt': 'library\n' }, prefix: 'lockstep-sub-' });
  const r = makeSchedRepo();
  try {
    r.repo.git('submodule', 'add', '-q', lib.root, 'vendor/lib');
    r.repo.commitAll('add submodule');
    r.writePlan({ tasks: [{ id: 'sub', scope: ['src/**'], sim: { edits: [{ path: 'src/a.ts', content: 'x\n' }], commit: 'sub' } }] });
    const s = r.scheduler();
    const started = await s.start('sub');
    assert.match(started.notes.join('\n'), /initialized submodules/);
    assert.equal(fs.readFileSync(path.join(started.task.worktree!, 'vendor', 'lib', 'lib.txt'), 'utf8'), 'library\n');
    await r.result('sub');
    await until(s, 'sub', 'finished');
    const landed = await s.land(['sub']);
    assert.equal(landed.ok, true, landed.message);
    assert.deepEqual(landed.kept, []);
  } finally {
    process.env = saved;
    await r.cleanup();
    lib.cleanup();
  }
});

test('landing: a task whose branch conflicts with the target is marked conflicted, the target untouched', withRepo(async (r) => {
  r.writePlan({
    tasks: [
      { id: 'a', scope: ['src/a.ts'], sim: { edits: [{ path: 'src/a.ts', content: 'from a\n' }], commit: 'a' } },
      { id: 'b', scope: ['src/**'], sim: { edits: [{ path: 'src/a.ts', content: 'from b\n' }], commit: 'b' } },
    ],
  });
  const s = r.scheduler();
  await s.start('a');
  await until(s, 'a', 'finished');
  await s.start('b'); // a finished (not running): b may start, from the target without a's work
  await until(s, 'b', 'finished');
  assert.equal((await s.land(['a'])).ok, true);
  const tip = r.repo.git('rev-parse', 'main');
  const out = await s.land(['b']);
  assert.equal(out.ok, false);
  assert.deepEqual(out.culprit, { task: 'b', kind: 'conflict', paths: ['src/a.ts'] });
  assert.equal(out.message, "'b' conflicts with main in src/a.ts; nothing landed");
  assert.equal(r.repo.git('rev-parse', 'main'), tip);
  const b = (await s.list()).tasks.find((t) => t.id === 'b')!;
  assert.equal(b.status, 'conflicted');
  assert.deepEqual(b.reasons, ['conflicts with the target in src/a.ts']);
  assert.ok(b.worktree && fs.existsSync(b.worktree), 'the conflicted work stays in its worktree');
}));
