// The landing engine on real temp repositories with real verification processes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeTempRepo, type TempRepo } from '../helpers/tempRepo';
import { land, LandingInputError, type LandingStep } from '../../src/git/landing';
import { checkFolders, commitOnBranch, extraWorktrees, fileAt, gitIn, isAncestorSync, refsUnder, treeOf } from './fixtures/landingRepo';

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

function assertNoLeftovers(repo: TempRepo) {
  assert.deepEqual(extraWorktrees(repo), [], 'no temporary worktrees');
  assert.deepEqual(checkFolders(repo), [], 'no check folders');
  assert.deepEqual(refsUnder(repo, 'refs/lockstep/tmp/'), [], 'no temporary refs');
}

test('lands one branch: merge commit on the target, clean main checkout updated, landing recorded', withRepo(async (repo, base) => {
  const tip = commitOnBranch(repo, 'lockstep/t1', base, { 'src/new.ts': 'export const n = 1;\n' });
  const steps: string[] = [];
  const r = await land({ repoDir: repo.root, target: 'main', tasks: [{ id: 't1', branch: 'lockstep/t1' }], atomic: true, onStep: (s) => void steps.push(s.kind) });
  assert.equal(r.ok, true);
  assert.equal(r.before, base);
  assert.equal(r.after, repo.git('rev-parse', 'main'));
  assert.deepEqual(r.landed, [{ task: 't1', branch: 'lockstep/t1', commit: r.after, alreadyMerged: false, landing: 1 }]);
  assert.deepEqual(r.landings, [1]);
  assert.equal(repo.git('log', '-1', '--format=%P', 'main'), `${base} ${tip}`);
  assert.equal(repo.git('log', '-1', '--format=%s', 'main'), 'Land t1');
  // the main checkout follows the branch
  assert.equal(fs.readFileSync(path.join(repo.root, 'src', 'new.ts'), 'utf8'), 'export const n = 1;\n');
  assert.equal(repo.git('status', '--porcelain'), '');
  assert.deepEqual(refsUnder(repo, 'refs/lockstep/landings/'), ['refs/lockstep/landings/1']);
  assert.deepEqual(steps, ['merged', 'candidate', 'before-ref-update', 'ref-updated', 'checkout-updated']);
  assertNoLeftovers(repo);
}));

test('lands several dependent branches atomically, in order, verified; an already merged branch is not merged twice', withRepo(async (repo, base) => {
  const t1 = commitOnBranch(repo, 'lockstep/t1', base, { 'lib.txt': 'v1\n' });
  const t2 = commitOnBranch(repo, 'lockstep/t2', t1, { 'lib.txt': 'v2\n', 'uses-lib.txt': 'needs v2\n' }); // depends on t1
  const t3 = commitOnBranch(repo, 'lockstep/t3', base, { 'src/a.ts': 'export const a = 3;\n' });
  const verify = { command: [NODE, '-e', "const fs=require('fs'); process.exit(fs.readFileSync('lib.txt','utf8')==='v2\\n' && fs.existsSync('src/a.ts') ? 0 : 1)"], timeoutMs: 30_000, maxOutputBytes: 10_000 };
  const tasks = [{ id: 't1', branch: 'lockstep/t1' }, { id: 't2', branch: 'lockstep/t2' }, { id: 't3', branch: 'lockstep/t3' }];
  const r = await land({ repoDir: repo.root, target: 'main', tasks, atomic: true, verify });
  assert.equal(r.ok, true, JSON.stringify(r.culprit));
  assert.deepEqual(r.landed.map((l) => l.task), ['t1', 't2', 't3']);
  assert.deepEqual(r.landings, [1], 'one compare-and-swap for the whole group');
  const chain = repo.git('log', '--first-parent', '--format=%s', `${base}..main`).split('\n');
  assert.deepEqual(chain, ['Land t3', 'Land t2', 'Land t1']);
  for (const t of [t1, t2, t3]) assert.ok(isAncestorSync(repo, t, 'main'));
  assert.equal(fileAt(repo, 'main', 'lib.txt'), 'v2\n');
  assert.equal(fileAt(repo, 'main', 'src/a.ts'), 'export const a = 3;\n');
  assertNoLeftovers(repo);

  const again = await land({ repoDir: repo.root, target: 'main', tasks: [{ id: 't2', branch: 'lockstep/t2' }], atomic: true });
  assert.equal(again.ok, true);
  assert.equal(again.after, r.after, 'nothing moved');
  assert.deepEqual(again.landed, [{ task: 't2', branch: 'lockstep/t2', commit: t2, alreadyMerged: true }]);
}));

test('a conflict leaves the target untouched and names the culprit task with the paths', withRepo(async (repo, base) => {
  commitOnBranch(repo, 'lockstep/ok', base, { 'ok.txt': 'fine\n' });
  commitOnBranch(repo, 'lockstep/left', base, { 'shared.txt': 'ONE\ntwo\nthree\n' });
  commitOnBranch(repo, 'lockstep/right', base, { 'shared.txt': 'uno\ntwo\nthree\n', 'other.txt': 'x\n' });
  const r = await land({
    repoDir: repo.root,
    target: 'main',
    tasks: [{ id: 'ok', branch: 'lockstep/ok' }, { id: 'left', branch: 'lockstep/left' }, { id: 'right', branch: 'lockstep/right' }],
    atomic: true,
  });
  assert.equal(r.ok, false);
  assert.deepEqual(r.culprit, { task: 'right', kind: 'conflict', paths: ['shared.txt'] });
  assert.deepEqual(r.landed, []);
  assert.equal(r.after, base);
  assert.equal(repo.git('rev-parse', 'main'), base);
  assert.equal(fs.existsSync(path.join(repo.root, 'ok.txt')), false);
  assert.deepEqual(refsUnder(repo, 'refs/lockstep/landings/'), []);
  assertNoLeftovers(repo);
}));

test('when another process moves the target mid-landing, the candidate is rebuilt on the new tip', withRepo(async (repo, base) => {
  const t1 = commitOnBranch(repo, 'lockstep/t1', base, { 't1.txt': '1\n' });
  let other = '';
  const onStep = (s: LandingStep) => {
    if (s.kind === 'before-ref-update' && !other) {
      // someone else's push lands first
      other = commitOnBranch(repo, 'main', base, { 'other.txt': 'theirs\n' }, 'their change');
    }
  };
  const steps: LandingStep[] = [];
  const r = await land({ repoDir: repo.root, target: 'main', tasks: [{ id: 't1', branch: 'lockstep/t1' }], atomic: true, onStep: async (s) => { steps.push(s); onStep(s); } });
  assert.equal(r.ok, true);
  assert.equal(repo.git('log', '-1', '--format=%P', 'main'), `${other} ${t1}`);
  assert.ok(steps.some((s) => s.kind === 'retry' && /main moved/.test(s.reason)));
  assert.equal(fileAt(repo, 'main', 'other.txt'), 'theirs\n');
}));

test('when the target keeps moving and retries run out, the landing is refused with the reason', withRepo(async (repo, base) => {
  commitOnBranch(repo, 'lockstep/t1', base, { 't1.txt': '1\n' });
  let n = 0;
  const r = await land({
    repoDir: repo.root,
    target: 'main',
    tasks: [{ id: 't1', branch: 'lockstep/t1' }],
    atomic: true,
    retries: 1,
    onStep: (s) => {
      if (s.kind === 'before-ref-update') commitOnBranch(repo, 'main', repo.git('rev-parse', 'main'), { [`other${++n}.txt`]: 'x\n' });
    },
  });
  assert.equal(r.ok, false);
  assert.equal(r.refused?.kind, 'target-moved');
  assert.match(r.refused?.reason ?? '', /^main moved from [0-9a-f]{12} to [0-9a-f]{12} during the landing; gave up after 2 attempt\(s\)$/);
  assert.equal(fileAt(repo, 'main', 't1.txt'), undefined, 'not landed');
  assert.deepEqual(refsUnder(repo, 'refs/lockstep/landings/'), []);
}));

test('two landings started at once are serialized: both land, each recorded', withRepo(async (repo, base) => {
  const a = commitOnBranch(repo, 'lockstep/a', base, { 'a.txt': 'a\n' });
  const b = commitOnBranch(repo, 'lockstep/b', base, { 'b.txt': 'b\n' });
  const [ra, rb] = await Promise.all([
    land({ repoDir: repo.root, target: 'main', tasks: [{ id: 'a', branch: 'lockstep/a' }], atomic: true }),
    land({ repoDir: repo.root, target: 'main', tasks: [{ id: 'b', branch: 'lockstep/b' }], atomic: true }),
  ]);
  assert.equal(ra.ok && rb.ok, true, JSON.stringify([ra.refused, rb.refused]));
  assert.deepEqual([...ra.landings, ...rb.landings].sort(), [1, 2]);
  assert.ok(isAncestorSync(repo, a, 'main') && isAncestorSync(repo, b, 'main'));
  assert.equal(gitIn(repo.root, ['status', '--porcelain']), '');
}));

test('non-atomic landing lands tasks one by one and stops at the first failure', withRepo(async (repo, base) => {
  commitOnBranch(repo, 'lockstep/a', base, { 'shared.txt': 'A\ntwo\nthree\n' });
  commitOnBranch(repo, 'lockstep/b', base, { 'shared.txt': 'B\ntwo\nthree\n' });
  commitOnBranch(repo, 'lockstep/c', base, { 'c.txt': 'c\n' });
  const r = await land({
    repoDir: repo.root,
    target: 'main',
    tasks: [{ id: 'a', branch: 'lockstep/a' }, { id: 'b', branch: 'lockstep/b' }, { id: 'c', branch: 'lockstep/c' }],
    atomic: false,
  });
  assert.equal(r.ok, false);
  assert.deepEqual(r.landed.map((l) => l.task), ['a']);
  assert.deepEqual(r.culprit, { task: 'b', kind: 'conflict', paths: ['shared.txt'] });
  assert.equal(repo.git('rev-parse', 'main'), r.after);
  assert.equal(fileAt(repo, 'main', 'shared.txt'), 'A\ntwo\nthree\n');
  assert.equal(fileAt(repo, 'main', 'c.txt'), undefined);
}));

test('bad input is refused with a one-line error naming the field, and changes nothing', withRepo(async (repo, base) => {
  commitOnBranch(repo, 'lockstep/t1', base, { 'x.txt': 'x\n' });
  const ok = { repoDir: repo.root, target: 'main', tasks: [{ id: 't1', branch: 'lockstep/t1' }], atomic: true };
  const cases: [object, RegExp][] = [
    [{ ...ok, target: 'has space' }, /^land: target: "has space" is not a valid branch name \(contains a space/],
    [{ ...ok, target: 'nope' }, /^land: target: branch nope does not exist$/],
    [{ ...ok, tasks: [{ id: 't1', branch: 'lockstep/missing' }] }, /^land: tasks\.0\.branch: branch lockstep\/missing does not exist$/],
    [{ ...ok, tasks: [{ id: 'x;y', branch: 'lockstep/t1' }] }, /^land: tasks\.0\.id: "x;y" is not a valid task id/],
    [{ ...ok, tasks: [ok.tasks[0], ok.tasks[0]] }, /^land: tasks\.1\.id: duplicate task id t1$/],
    [{ ...ok, tasks: [] }, /^land: tasks: /],
    [{ ...ok, verify: { command: [], timeoutMs: 1, maxOutputBytes: 1 } }, /^land: verify\.command: /],
    [{ ...ok, tasks: [{ id: 'm', branch: 'main' }] }, /^land: tasks\.0\.branch: is the target branch itself$/],
  ];
  for (const [input, re] of cases) {
    await assert.rejects(land(input as never), (err: Error) => {
      assert.match(err.message, re);
      assert.doesNotMatch(err.message, /\n/);
      return true;
    });
  }
  assert.ok(new LandingInputError('x') instanceof Error);
  assert.equal(repo.git('rev-parse', 'main'), base);
  assert.deepEqual(refsUnder(repo, 'refs/lockstep/'), []);
  assert.equal(gitIn(repo.root, ['status', '--porcelain']), '');
}));

test('branch names with non-ASCII and paths with spaces and non-ASCII, in a repo under such a folder', withRepo(async (repo, base) => {
  const tip = commitOnBranch(repo, 'tâche/été-1', base, { 'dossier à moi/fichier é ü.txt': 'bonjour\n', 'with space.txt': 's\n' });
  const verify = { command: [NODE, '-e', "process.exit(require('fs').readFileSync('dossier à moi/fichier é ü.txt','utf8')==='bonjour\\n'?0:1)"], timeoutMs: 30_000, maxOutputBytes: 1000 };
  const r = await land({ repoDir: path.join(repo.root, 'src'), target: 'main', tasks: [{ id: 'ete-1', branch: 'tâche/été-1' }], atomic: true, verify });
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.ok(isAncestorSync(repo, tip, 'main'));
  assert.equal(fs.readFileSync(path.join(repo.root, 'dossier à moi', 'fichier é ü.txt'), 'utf8'), 'bonjour\n');
  assert.equal(treeOf(repo, 'HEAD'), treeOf(repo, 'main'));
}, { prefix: 'lockstep land é ü-' }));

