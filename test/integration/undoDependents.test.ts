// Undo never strands a task, on real repositories through the real built CLI: a task built on a
// landing (its branch forked from the target after it) is named when that landing is undone, and the
// undo is refused unless its branch is rebased off the undone commits (--rebase-dependents), which
// never loses work (a dirty worktree or a rebase conflict refuses and changes nothing). Landing refuses
// a branch that carries another task's commits the target lacks, naming the task; a task whose
// commits reached the target another way is recognised as landed.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureBuilt, runCli } from '../helpers/cli';
import { untilStatus, withSchedRepo, type SchedRepo } from '../fixtures/plans/schedulerRepo';
import { commitOnBranch, extraWorktrees, gitIn } from './fixtures/landingRepo';
import { cli, json, planRepo, tasks, withRepo } from './fixtures/landingFlowRepo';

before(() => ensureBuilt());

const FILES = { 'README.md': '# r\n', 'src/a.ts': 'a\n', 'src/b.ts': 'b\n' };

function run(r: SchedRepo, args: string[]) {
  return runCli(args, { cwd: r.repo.root });
}

test('undo names the task built on the landing and refuses; --rebase-dependents rebases it off, then both land apart', withSchedRepo(async (r) => {
  const repo = r.repo;
  // b's scope covers a's file: the scope check alone would not notice a's changes riding along.
  r.writePlan({
    tasks: [
      { id: 'a', scope: ['src/a.ts'] },
      { id: 'b', scope: ['src/**'], sim: { edits: [{ path: 'src/b.ts', content: 'b by b\n' }], commit: 'b' } },
    ],
  });
  const base = repo.git('rev-parse', 'main');
  const aTip = commitOnBranch(repo, 'lockstep/a', base, { 'src/a.ts': 'a by a\n' });
  const landedA = run(r, ['land', 'a']);
  assert.equal(landedA.status, 0, landedA.stderr);
  const landing = repo.git('rev-parse', 'main');

  // b starts after the landing: its branch forks from it.
  const s = r.scheduler();
  await s.start('b');
  const b = await untilStatus(s, 'b', 'finished');
  const wt = b.worktree!;
  const bOld = repo.git('rev-parse', 'lockstep/b');
  assert.equal(repo.git('rev-parse', 'lockstep/b^'), landing, 'b forked from the landing');

  // Plain undo: refused, naming b; nothing changed.
  const refused = run(r, ['undo-landing']);
  assert.equal(refused.status, 1, refused.stdout);
  assert.match(refused.stderr, /^lockstep: undo refused: b \(finished\) is built on landing 1: its branch lockstep\/b contains the commits the undo takes off main; undo with --rebase-dependents to rebase it onto main without them\n$/);
  assert.equal(repo.git('rev-parse', 'main'), landing);
  assert.equal(repo.git('rev-parse', 'lockstep/b'), bOld);
  const refusedJson = runCli(['undo-landing', '--json'], { cwd: repo.root });
  assert.deepEqual(JSON.parse(refusedJson.stdout).dependents.map((d: { task: string }) => d.task), ['b']);

  // A dependent's worktree with uncommitted changes: refused, nothing changed.
  fs.writeFileSync(path.join(wt, 'src/b.ts'), 'unsaved\n');
  const dirty = run(r, ['undo-landing', '--rebase-dependents']);
  assert.equal(dirty.status, 1);
  assert.match(dirty.stderr, /^lockstep: undo refused: b's worktree .* has uncommitted changes \(src\/b\.ts\)/);
  assert.equal(repo.git('rev-parse', 'main'), landing);
  assert.equal(fs.readFileSync(path.join(wt, 'src/b.ts'), 'utf8'), 'unsaved\n');
  gitIn(wt, ['checkout', '--', 'src/b.ts']);

  const undo = runCli(['undo-landing', '--rebase-dependents', '--json'], { cwd: repo.root });
  assert.equal(undo.status, 0, undo.stderr);
  const body = JSON.parse(undo.stdout);
  assert.equal(body.ok, true);
  assert.match(body.message, /; rebased lockstep\/b onto main \(was [0-9a-f]{12}, now [0-9a-f]{12}\)$/);
  assert.deepEqual(body.rebased.map((x: { task: string; from: string }) => [x.task, x.from]), [['b', bOld]]);
  assert.equal(repo.git('rev-parse', 'main'), base);
  // b keeps its own commit, now on the old target tip, without a's.
  const bNew = repo.git('rev-parse', 'lockstep/b');
  assert.equal(repo.git('rev-parse', 'lockstep/b^'), base);
  assert.equal(repo.git('show', 'lockstep/b:src/b.ts'), 'b by b');
  assert.equal(repo.git('show', 'lockstep/b:src/a.ts'), 'a');
  // Its worktree follows, clean; the old tip stays in the branch's reflog.
  assert.equal(gitIn(wt, ['rev-parse', 'HEAD']), bNew);
  assert.equal(gitIn(wt, ['status', '--porcelain']), '');
  assert.equal(fs.readFileSync(path.join(wt, 'src/a.ts'), 'utf8'), 'a\n');
  assert.match(repo.git('reflog', '--format=%H', 'lockstep/b'), new RegExp(bOld));
  assert.equal(repo.git('rev-parse', 'lockstep/a'), aTip, "a's branch is re-created");

  // b lands alone without bringing a's undone change back; a then lands too.
  const landB = run(r, ['land', 'b']);
  assert.equal(landB.status, 0, landB.stderr);
  assert.equal(repo.git('show', 'main:src/a.ts'), 'a');
  assert.equal(repo.git('show', 'main:src/b.ts'), 'b by b');
  const landA = run(r, ['land', 'a']);
  assert.equal(landA.status, 0, landA.stderr);
  assert.equal(repo.git('show', 'main:src/a.ts'), 'a by a');
  const t = JSON.parse(run(r, ['task', 'list', '--json']).stdout).tasks;
  assert.deepEqual(t.map((x: { id: string; status: string }) => [x.id, x.status]), [['a', 'landed'], ['b', 'landed']]);
}, { files: FILES }));

test('a rebase that conflicts refuses the undo naming the task and the paths; nothing changes', withRepo(
  () => planRepo([{ id: 'a', scope: ['src/a.ts'] }, { id: 'c', scope: ['src/**'] }]),
  (repo) => {
    const base = repo.git('rev-parse', 'main');
    commitOnBranch(repo, 'lockstep/a', base, { 'src/a.ts': 'a by a\n' });
    assert.equal(cli(repo, ['land', 'a']).status, 0);
    const landing = repo.git('rev-parse', 'main');
    // c, made by hand after the landing, edits what a changed: its commit needs a's.
    const cTip = commitOnBranch(repo, 'lockstep/c', landing, { 'src/a.ts': 'a by a, then c\n' });
    const r = cli(repo, ['undo-landing', '--rebase-dependents']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^lockstep: undo refused: rebasing lockstep\/c \(c\) off landing 1 conflicts in src\/a\.ts: its commits build on the landing; nothing was changed/m);
    assert.equal(repo.git('rev-parse', 'main'), landing);
    assert.equal(repo.git('rev-parse', 'lockstep/c'), cTip);
    assert.deepEqual(extraWorktrees(repo), [], 'no temporary worktree is left behind');
    assert.equal(tasks(repo).a.status, 'landed');

    // Without c the undo goes through. If c's branch comes back by hand (and a's is gone), landing c is
    // refused: it is built on a's landing, which is no longer on main.
    repo.git('branch', '-D', 'lockstep/c');
    assert.equal(cli(repo, ['undo-landing']).status, 0);
    repo.git('branch', '-D', 'lockstep/a');
    repo.git('branch', 'lockstep/c', cTip);
    const carried = cli(repo, ['land', 'c']);
    assert.equal(carried.status, 1);
    assert.match(carried.stderr, /^lockstep: cannot land 'c': lockstep\/c carries commits of 'a' that main lacks \(its branch is built on a landing of theirs that is no longer there\); land 'a' first or with it/m);
    assert.equal(repo.git('rev-parse', 'main'), base);
  },
));

test('landing refuses a branch carrying another task\'s commits the target lacks, naming it; together they land; work already on the target is recognised as landed', withRepo(
  () =>
    planRepo([
      { id: 'x', scope: ['src/a.ts'] },
      { id: 'y', scope: ['src/**'] },
      { id: 'u', scope: ['shared.txt'] },
      { id: 'w', scope: ['shared.txt', 'docs/**'] },
      { id: 'v', scope: ['docs/**'], dependsOn: ['u'] },
    ]),
  (repo) => {
    const base = repo.git('rev-parse', 'main');
    const xTip = commitOnBranch(repo, 'lockstep/x', base, { 'src/a.ts': 'x\n' });
    commitOnBranch(repo, 'lockstep/y', xTip, { 'src/b.ts': 'y\n' });

    const refused = cli(repo, ['land', 'y']);
    assert.equal(refused.status, 1);
    assert.equal(
      refused.stderr.split('\n').filter((l) => l.startsWith('lockstep: ')).join('\n'),
      "lockstep: cannot land 'y': lockstep/y carries commits of 'x' that main lacks (its branch is built on them); land 'x' first or with it (lockstep land x y), or take them off lockstep/y",
    );
    assert.equal(repo.git('rev-parse', 'main'), base, 'nothing landed');

    // Together, x first: both land.
    const both = json(repo, ['land', 'y', 'x', '--atomic']);
    assert.equal(both.status, 0, both.stderr);
    assert.deepEqual(both.body.landed, ['x', 'y']);

    // u's work reaches main by hand (a merge commit): landing u records it as landed, merging nothing.
    const uTip = commitOnBranch(repo, 'lockstep/u', repo.git('rev-parse', 'main'), { 'shared.txt': 'u\n' });
    repo.git('merge', '--no-ff', '-m', 'merge u by hand', 'lockstep/u');
    const mainAfterHand = repo.git('rev-parse', 'main');
    assert.equal(tasks(repo).v.status, 'queued', 'v waits for u');
    const u = json(repo, ['land', 'u']);
    assert.equal(u.status, 0, u.stderr);
    assert.deepEqual(u.body.landed, ['u']);
    assert.match(u.body.message, /^u is already on main \(lockstep\/u [0-9a-f]{12} is in its history\): recorded as landed/);
    assert.equal(repo.git('rev-parse', 'main'), mainAfterHand, 'nothing merged');
    const t = tasks(repo);
    assert.equal(t.u.status, 'landed');
    assert.equal(t.v.status, 'ready', 'its dependant opens');
    assert.equal(repo.git('branch', '--list', 'lockstep/u'), '', 'its merged branch is deleted');
    assert.ok(uTip);

    // A branch with no commits of its own is still refused: nothing of it is on the target.
    repo.git('branch', 'lockstep/w', 'main');
    const empty = cli(repo, ['land', 'w']);
    assert.equal(empty.status, 1);
    assert.match(empty.stderr, /^lockstep: cannot land 'w': branch lockstep\/w has no commits that main lacks/m);
    assert.equal(tasks(repo).w.status, 'ready');
  },
));
