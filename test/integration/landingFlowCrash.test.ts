// A landing process killed with SIGKILL (LOCKSTEP_FAULT, test-only) through the real CLI: the target is
// untouched or complete, the task the dead process was landing settles by itself (finished, or landed
// when the target already moved), and `lockstep doctor` removes the leftovers and says what it did.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { ensureBuilt } from '../helpers/cli';
import { commitOnBranch, extraWorktrees, refsUnder } from './fixtures/landingRepo';
import { cli, json, planRepo, tasks, withRepo } from './fixtures/landingFlowRepo';

before(() => ensureBuilt());

test('kill -9 in the middle of a landing: the target is untouched, the task settles, doctor cleans the leftovers', withRepo(
  () => planRepo([{ id: 'api', scope: ['src/a.ts'] }], { verify: [process.execPath, '-e', 'setTimeout(() => {}, 300)'] }),
  async (repo) => {
    const base = repo.git('rev-parse', 'main');
    commitOnBranch(repo, 'lockstep/api', base, { 'src/a.ts': 'api\n' });
    const killed = cli(repo, ['land', 'api'], { LOCKSTEP_FAULT: 'during-check' });
    assert.equal(killed.signal, 'SIGKILL', `killed mid-landing (exit ${killed.status}: ${killed.stderr})`);
    assert.equal(repo.git('rev-parse', 'main'), base);
    assert.equal(extraWorktrees(repo).length, 1, 'the check worktree was left behind');
    assert.equal(refsUnder(repo, 'refs/lockstep/tmp/').length, 1, 'the candidate ref was left behind');
    await new Promise((r) => setTimeout(r, 500)); // let the orphaned check command end

    const doctor = cli(repo, ['doctor']);
    assert.equal(doctor.status, 0, doctor.stdout + doctor.stderr);
    assert.match(doctor.stdout, /^ {2}ok {7}landing leftovers: 2 cleaned$/m);
    assert.match(doctor.stdout, /-> removed temporary worktree .*lockstep-landing\/worktrees\/check-/);
    assert.match(doctor.stdout, /-> removed temporary ref refs\/lockstep\/tmp\//);
    assert.deepEqual(extraWorktrees(repo), []);
    assert.deepEqual(refsUnder(repo, 'refs/lockstep/tmp/'), []);
    const clean = json(repo, ['doctor']);
    assert.deepEqual(clean.body.landing, { removedWorktrees: [], removedRefs: [], completedCheckouts: [], problems: [] });

    // The task the dead process was landing is finished again (the target never moved), and lands.
    assert.equal(tasks(repo).api.status, 'finished');
    const again = cli(repo, ['land', 'api']);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(tasks(repo).api.status, 'landed');
  },
));

test('killed right after the target moved: the task is settled as landed', withRepo(
  () => planRepo([{ id: 'api', scope: ['src/a.ts'] }]),
  (repo) => {
    const base = repo.git('rev-parse', 'main');
    commitOnBranch(repo, 'lockstep/api', base, { 'src/a.ts': 'api\n' });
    const killed = cli(repo, ['land', 'api'], { LOCKSTEP_FAULT: 'after-ref-update' });
    assert.equal(killed.signal, 'SIGKILL');
    assert.notEqual(repo.git('rev-parse', 'main'), base);
    const doctor = json(repo, ['doctor']);
    assert.deepEqual(doctor.body.landing.completedCheckouts, [repo.root], 'the checkout of main is brought up to date');
    const api = tasks(repo).api;
    assert.equal(api.status, 'landed');
    assert.equal(repo.git('branch', '--list', 'lockstep/api'), '', 'and cleaned up like any landing');
  },
));
