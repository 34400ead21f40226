// `lockstep doctor` on task worktrees, through the real CLI: a start killed (SIGKILL) half-way through
// `git worktree add` leaves a half-created worktree that doctor finishes (check-only changes nothing),
// after which the task starts cleanly; a locked task worktree whose folder was deleted is pruned, its
// branch kept.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureBuilt, runCli } from '../helpers/cli';
import { makeTempRepo } from '../helpers/tempRepo';
import { killStartInsideWorktreeAdd, makeSchedRepo } from '../fixtures/plans/schedulerRepo';
import { adminDirFor, createTaskWorktree, listWorktrees } from '../../src/git/worktrees';

before(() => ensureBuilt());

test('a start killed half-way through `git worktree add`: doctor finishes the worktree, then the task starts cleanly', async () => {
  const r = makeSchedRepo();
  try {
    r.writePlan({ tasks: [{ id: 'crash', scope: ['src/**'], sim: { edits: [{ path: 'src/a.ts', content: 'after doctor\n' }], commit: 'crash task' } }] });
    // A post-checkout hook runs inside `git worktree add`: it marks that we are there, then hangs.
    await killStartInsideWorktreeAdd(r, 'crash');

    // What a crash during the checkout itself leaves: the registration without its index, files missing.
    const wtPath = path.join(path.dirname(r.repo.root), 'repo-worktrees', 'crash');
    const admin = adminDirFor(fs.realpathSync(path.join(r.repo.root, '.git')), wtPath)!;
    assert.ok(admin, 'the half-made worktree is registered');
    fs.rmSync(path.join(admin, 'index'), { force: true });
    fs.rmSync(path.join(wtPath, 'src'), { recursive: true, force: true });
    assert.ok(fs.existsSync(path.join(r.repo.root, '.git', 'lockstep', 'starting', 'crash.json')), 'the start marker outlived its process');

    const check = runCli(['doctor', '--check-only'], { cwd: r.repo.root });
    assert.equal(check.status, 1, check.stdout + check.stderr);
    assert.match(check.stdout, /^ {2}PROBLEM {2}task worktrees: 1 to repair$/m);
    assert.match(check.stdout, /-> would finish the checkout of the worktree .*repo-worktrees\/crash of task 'crash', left half-created by an interrupted start \(the process starting it \(pid \d+\) ended\)$/m);
    assert.equal(fs.existsSync(path.join(admin, 'index')), false, '--check-only changes nothing');
    assert.equal(fs.existsSync(path.join(wtPath, 'src')), false);

    const doctor = runCli(['doctor'], { cwd: r.repo.root });
    assert.equal(doctor.status, 0, doctor.stdout + doctor.stderr);
    const lines = doctor.stdout.split('\n').filter((l) => l.includes('task worktrees') || /-> (finished|discarded|forgot)/.test(l));
    assert.equal(lines.length, 2, doctor.stdout);
    assert.match(lines[0]!, /^ {2}ok {7}task worktrees: 1 repaired$/);
    assert.match(lines[1]!, /-> finished the checkout of the worktree .*repo-worktrees\/crash of task 'crash', left half-created by an interrupted start \(the process starting it \(pid \d+\) ended\)$/);
    assert.equal(fs.readFileSync(path.join(wtPath, 'src', 'b.ts'), 'utf8'), 'export const b = 2;\n', 'the checkout was completed');
    assert.equal(r.repo.git('-C', wtPath, 'status', '--porcelain'), '');
    const again = runCli(['doctor'], { cwd: r.repo.root });
    assert.match(again.stdout, /^ {2}ok {7}task worktrees: nothing left by a crash$/m, 'a second run finds nothing');

    // The task starts cleanly in the repaired worktree: nothing left to repair, its agent runs.
    const s = r.scheduler();
    const started = await s.start('crash');
    const notes = started.notes.join('\n');
    assert.doesNotMatch(notes, /repaired/);
    assert.match(notes, /reused the existing worktree/);
    const res = await r.result('crash');
    assert.deepEqual(res.allowed, ['src/a.ts']);
    assert.equal((await listWorktrees(r.repo.root)).filter((w) => w.branch === 'lockstep/crash').length, 1);
  } finally {
    await r.cleanup();
  }
});

test('doctor prunes the record of a locked task worktree whose folder was deleted; the branch stays', async () => {
  const repo = makeTempRepo();
  try {
    const base = path.dirname(repo.root);
    const gone = await createTaskWorktree({ repoDir: repo.root, taskId: 'gone', path: path.join(base, 'gone wt'), startPoint: 'HEAD' });
    const kept = await createTaskWorktree({ repoDir: repo.root, taskId: 'kept', path: path.join(base, 'kept'), startPoint: 'HEAD' });
    fs.rmSync(gone.path, { recursive: true });
    // A worktree someone else locked (a removable drive, say): never unlocked by doctor.
    const theirs = repo.addWorktree('theirs', 'lockstep/theirs');
    repo.git('worktree', 'lock', '--reason', 'on my USB drive', theirs);
    fs.rmSync(theirs, { recursive: true });

    const check = runCli(['doctor', '--check-only'], { cwd: repo.root });
    assert.equal(check.status, 1, check.stdout + check.stderr);
    assert.match(check.stdout, new RegExp(`-> would forget the record of the deleted worktree ${escape(gone.path)} \\(branch lockstep/gone stays\\)$`, 'm'));
    assert.equal((await listWorktrees(repo.root)).length, 4, '--check-only changes nothing');

    const doctor = runCli(['doctor'], { cwd: repo.root });
    assert.equal(doctor.status, 1, 'the worktree locked by someone else needs a person');
    assert.match(doctor.stdout, new RegExp(`^ {13}-> forgot the record of the deleted worktree ${escape(gone.path)} \\(branch lockstep/gone stays\\)$`, 'm'));
    assert.match(doctor.stdout, /PROBLEM {2}task worktrees: 1 repaired; the deleted worktree .*theirs is locked by someone else \("on my USB drive"\)/);
    const left = await listWorktrees(repo.root);
    assert.deepEqual(left.map((w) => w.branch), ['main', 'lockstep/kept', 'lockstep/theirs']);
    assert.equal(left[1]!.locked, 'lockstep task kept', 'the live task worktree is untouched');
    assert.ok(repo.git('rev-parse', '--verify', 'refs/heads/lockstep/gone'), 'the branch is never touched');
    assert.ok(fs.existsSync(kept.path));
  } finally {
    repo.cleanup();
  }
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
