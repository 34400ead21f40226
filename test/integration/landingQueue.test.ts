// The landing engine in queue mode, on real repositories: one batch of branches, one with a merge
// conflict, one whose check fails, one that depends on the failing one. Everything else lands with one
// compare-and-swap and one landing record; each culprit is named with its paths or its check output;
// the dependant waits. A target that moves meanwhile is rebuilt; kill -9 leaves the target unchanged
// or at the complete batch.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { makeTempRepo, type TempRepo } from '../helpers/tempRepo';
import { land, type LandingOptions } from '../../src/git/landing';
import { cleanupLandingLeftovers } from '../../src/git/landingLeftovers';
import { checkFolders, commitOnBranch, fileAt, gitIn, isAncestorSync, refsUnder } from './fixtures/landingRepo';

const CHILD = path.join(__dirname, 'fixtures', 'landingCrashChild.ts');

// The check fails when the candidate holds a file named BAD-*, printing its name.
const CHECK = {
  command: [process.execPath, '-e', "const b = require('fs').readdirSync('.').filter((f) => f.startsWith('BAD-')); if (b.length) { console.log('broken by', b.join(' ')); process.exit(3); }"],
  timeoutMs: 30_000,
  maxOutputBytes: 10_000,
};

/** t0..t5 forked from main: t2 conflicts with t1 in shared.txt, t3 breaks the check, t4 depends on t3. */
function batchRepo(): { repo: TempRepo; base: string; tips: Record<string, string>; tasks: LandingOptions['tasks'] } {
  const repo = makeTempRepo({ files: { 'README.md': '# r\n', 'shared.txt': 'one\ntwo\n' } });
  const base = repo.git('rev-parse', 'HEAD');
  const tips: Record<string, string> = {
    t0: commitOnBranch(repo, 'lockstep/t0', base, { 'f0.txt': '0\n' }),
    t1: commitOnBranch(repo, 'lockstep/t1', base, { 'f1.txt': '1\n', 'shared.txt': 'ONE by t1\ntwo\n' }),
    t2: commitOnBranch(repo, 'lockstep/t2', base, { 'f2.txt': '2\n', 'shared.txt': 'ONE by t2\ntwo\n' }),
    t3: commitOnBranch(repo, 'lockstep/t3', base, { 'BAD-t3': 'x\n' }),
  };
  tips.t4 = commitOnBranch(repo, 'lockstep/t4', tips.t3, { 'f4.txt': '4\n' });
  tips.t5 = commitOnBranch(repo, 'lockstep/t5', base, { 'f5.txt': '5\n' });
  const tasks = ['t0', 't1', 't2', 't3', 't4', 't5'].map((id) => ({ id, branch: `lockstep/${id}`, ...(id === 't4' ? { dependsOn: ['t3'] } : {}) }));
  repo.git('checkout', '-q', '--detach'); // main not checked out: the test is about refs and trees
  return { repo, base, tips, tasks };
}

describe('queue mode', { concurrency: 1 }, () => {
  for (const parallel of [1, 3]) {
    test(`lands everything that passes in one compare-and-swap, names each culprit (parallel ${parallel})`, async () => {
      const { repo, base, tips, tasks } = batchRepo();
      try {
        const verified = new Map();
        const r = await land({ repoDir: repo.root, target: 'main', tasks, atomic: true, verify: CHECK, queue: { parallel, verified } });
        assert.equal(r.ok, false, 'not everything landed');
        assert.deepEqual(r.landed.map((l) => l.task), ['t0', 't1', 't5']);
        assert.deepEqual(r.landings, [1], 'one landing record: one compare-and-swap');
        const main = repo.git('rev-parse', 'main');
        assert.equal(r.after, main);
        for (const t of ['t0', 't1', 't5']) assert.ok(isAncestorSync(repo, tips[t], main), `${t} is on main`);
        for (const t of ['t2', 't3', 't4']) assert.ok(!isAncestorSync(repo, tips[t], main), `${t} is not on main`);
        assert.equal(repo.git('rev-parse', 'main^1^1^1'), base, 'merged in order on the old tip');
        assert.equal(fileAt(repo, 'main', 'shared.txt'), 'ONE by t1\ntwo\n');

        const byTask = Object.fromEntries(r.culprits.map((c) => [c.task, c]));
        assert.deepEqual(Object.keys(byTask).sort(), ['t2', 't3']);
        assert.equal(byTask.t2.kind, 'conflict');
        assert.deepEqual(byTask.t2.paths, ['shared.txt']);
        assert.equal(byTask.t3.kind, 'check');
        assert.equal(byTask.t3.exitCode, 3);
        assert.match(byTask.t3.output ?? '', /broken by BAD-t3/);
        assert.deepEqual(r.heldBack, [{ task: 't4', waitsFor: 't3' }]);
        assert.ok(r.verifyRuns <= (parallel === 1 ? 4 : 7), `${r.verifyRuns} verification runs`);
        assert.equal(verified.size, r.verifyRuns, 'each run is cached by its tree');
        assert.deepEqual(checkFolders(repo), [], 'check worktrees removed');
        assert.deepEqual(refsUnder(repo, 'refs/lockstep/tmp/'), []);

        // Landing the same batch again (t3 fixed by hand) lands t3 then t4; t2 still conflicts.
        commitOnBranch(repo, 'lockstep/t3', tips.t3, { 'BAD-t3': null, 'f3.txt': '3\n' });
        commitOnBranch(repo, 'lockstep/t4', repo.git('rev-parse', 'lockstep/t3'), { 'f4.txt': '4\n' });
        const again = await land({ repoDir: repo.root, target: 'main', tasks: tasks.filter((t) => ['t2', 't3', 't4'].includes(t.id)), atomic: true, verify: CHECK, queue: { parallel, verified } });
        assert.deepEqual(again.landed.map((l) => l.task), ['t3', 't4']);
        assert.deepEqual(again.culprits.map((c) => [c.task, c.kind]), [['t2', 'conflict']]);
      } finally {
        repo.cleanup();
      }
    });
  }

  test('a check failing on the target itself blames nobody', async () => {
    const { repo, base, tasks } = batchRepo();
    try {
      commitOnBranch(repo, 'main', base, { 'BAD-main': 'x\n' });
      const before = repo.git('rev-parse', 'main');
      const r = await land({ repoDir: repo.root, target: 'main', tasks: tasks.slice(0, 1), atomic: true, verify: CHECK, queue: {} });
      assert.equal(r.refused?.kind, 'target-fails-check');
      assert.match(r.refused?.reason ?? '', /fails on main itself \(exit 3\): broken by BAD-main/);
      assert.deepEqual(r.culprits, []);
      assert.equal(repo.git('rev-parse', 'main'), before);
    } finally {
      repo.cleanup();
    }
  });

  test('the target moving under the queue: the batch is rebuilt on it and lands', async () => {
    const { repo, base, tasks } = batchRepo();
    try {
      let moved = false;
      const r = await land({
        repoDir: repo.root,
        target: 'main',
        tasks: tasks.filter((t) => ['t0', 't5'].includes(t.id)),
        atomic: true,
        verify: CHECK,
        queue: {},
        onStep: (s) => {
          if (s.kind === 'before-ref-update' && !moved) {
            moved = true;
            commitOnBranch(repo, 'main', base, { 'pushed.txt': 'someone pushed\n' });
          }
        },
      });
      assert.equal(r.ok, true, JSON.stringify(r.refused));
      assert.deepEqual(r.landed.map((l) => l.task), ['t0', 't5']);
      assert.equal(fileAt(repo, 'main', 'pushed.txt'), 'someone pushed\n');
      assert.equal(r.verifyRuns, 2, 'verified again on the moved target');
    } finally {
      repo.cleanup();
    }
  });
});

function runChild(input: object, env: Record<string, string>): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(input)], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe('kill -9 during a queue landing', { concurrency: 2 }, () => {
  for (const { fault, expect } of [
    { fault: 'after-merge:3', expect: 'old' },
    { fault: 'during-check', expect: 'old' },
    { fault: 'before-ref-update', expect: 'old' },
    { fault: 'after-ref-update', expect: 'batch' },
  ] as const) {
    test(`SIGKILL ${fault}: target is ${expect === 'old' ? 'unchanged' : 'the complete batch'}; the queue lands it after restart`, async () => {
      const { repo, base, tips, tasks } = batchRepo();
      try {
        const input = { repoDir: repo.root, target: 'main', tasks, atomic: true, verify: CHECK, queue: { parallel: 2 } };
        const child = await runChild(input, { LOCKSTEP_FAULT: fault });
        assert.equal(child.signal, 'SIGKILL', `died by SIGKILL (code ${child.code}, ${child.stderr})`);
        const main = repo.git('rev-parse', 'main');
        if (expect === 'old') assert.equal(main, base);
        else {
          for (const t of ['t0', 't1', 't5']) assert.ok(isAncestorSync(repo, tips[t], main));
          assert.equal(repo.git('rev-parse', 'main^1^1^1'), base);
        }
        const report = await cleanupLandingLeftovers(repo.root);
        assert.deepEqual(report.problems, []);
        assert.deepEqual(checkFolders(repo), []);
        // Restarted: the same batch settles to the same end.
        const again = await land({ ...input, lockWaitMs: 5000 });
        assert.deepEqual(again.landed.map((l) => l.task), ['t0', 't1', 't5']);
        assert.deepEqual(again.landed.every((l) => l.alreadyMerged), expect === 'batch');
        const final = repo.git('rev-parse', 'main');
        assert.deepEqual(gitIn(repo.root, ['ls-tree', '--name-only', final]).split('\n').sort(), ['README.md', 'f0.txt', 'f1.txt', 'f5.txt', 'shared.txt']);
      } finally {
        repo.cleanup();
      }
    });
  }
});
