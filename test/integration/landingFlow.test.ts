// Landing end to end through the real built CLI (`lockstep land`, `undo-landing`, `check-output`,
// `task list`) on real temp repositories: work committed by hand on lockstep/<id> lands
// without a scheduler start; atomic sets land in dependency order and open the next phase; a conflict
// or a failed check leaves the target untouched and marks the culprit; undo puts everything back.
// (Crashes mid-landing: landingFlowCrash.test.ts. The engine's own cases are in landing*.test.ts.)
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureBuilt } from '../helpers/cli';
import { commitOnBranch, refsUnder } from './fixtures/landingRepo';
import { cli, json, planRepo, tasks, withRepo } from './fixtures/landingFlowRepo';

before(() => ensureBuilt());

test('work committed by hand on lockstep/<id> lands without a scheduler start; no commits or no branch is a one-line refusal', withRepo(
  () => planRepo([{ id: 'api', scope: ['src/a.ts'] }, { id: 'docs', scope: ['docs/**'] }, { id: 'empty', scope: ['src/b.ts'] }]),
  (repo) => {
    const base = repo.git('rev-parse', 'main');
    const tip = commitOnBranch(repo, 'lockstep/api', base, { 'src/a.ts': 'a by hand\n' });
    repo.git('branch', 'lockstep/empty', base);
    assert.equal(tasks(repo).api.status, 'ready', 'never started');

    const noCommits = cli(repo, ['land', 'empty']);
    assert.equal(noCommits.status, 1);
    assert.equal(noCommits.stderr.split('\n').filter((l) => l.startsWith('lockstep: ')).join('\n'), "lockstep: cannot land 'empty': branch lockstep/empty has no commits that main lacks");
    const noBranch = cli(repo, ['land', 'docs']);
    assert.equal(noBranch.status, 1);
    assert.match(noBranch.stderr, /^lockstep: cannot land 'docs': branch lockstep\/docs does not exist/m);
    // A refused set changes nothing, even for the task that could land.
    assert.equal(cli(repo, ['land', 'api', 'empty']).status, 1);
    assert.equal(repo.git('rev-parse', 'main'), base);
    assert.equal(tasks(repo).api.status, 'ready');

    const landed = json(repo, ['land', 'api']);
    assert.equal(landed.status, 0, landed.stderr);
    assert.equal(landed.body.ok, true);
    assert.deepEqual(landed.body.landed, ['api']);
    assert.deepEqual(landed.body.removed, ['branch lockstep/api']);
    assert.equal(landed.body.before, base);
    assert.equal(landed.body.after, repo.git('rev-parse', 'main'));
    assert.match(landed.body.message, /^landed api on main \([0-9a-f]{12}\)$/);
    assert.match(landed.stderr, /lockstep land: merged api/);
    assert.equal(repo.git('show', 'main:src/a.ts'), 'a by hand');
    assert.equal(repo.git('rev-parse', 'main^2'), tip);
    assert.equal(fs.readFileSync(path.join(repo.root, 'src/a.ts'), 'utf8'), 'a by hand\n', 'the checkout of main follows');
    const api = tasks(repo).api;
    assert.equal(api.status, 'landed');
    assert.ok(api.landedAt > 0);
    assert.equal(repo.git('branch', '--list', 'lockstep/api'), '', 'the merged branch is deleted');
    // An unmerged branch is never deleted: lockstep/empty is merged (nothing ahead), but it was never landed.
    assert.notEqual(repo.git('branch', '--list', 'lockstep/empty'), '');
  },
));

test('an atomic set lands in dependency order, opens the next phase, and undo restores it all', withRepo(
  () =>
    planRepo([
      { id: 'client', scope: ['src/b.ts'], dependsOn: ['api'] },
      { id: 'api', scope: ['src/a.ts'] },
      { id: 'later', phase: 2, scope: ['docs/**'] },
    ]),
  (repo) => {
    const base = repo.git('rev-parse', 'main');
    const apiTip = commitOnBranch(repo, 'lockstep/api', base, { 'src/a.ts': 'api\n' });
    const clientTip = commitOnBranch(repo, 'lockstep/client', base, { 'src/b.ts': 'client\n' });
    assert.match(tasks(repo).later.reasons[0], /^phase 2 opens when phase 1 has landed/);
    const missingDep = cli(repo, ['land', 'client']);
    assert.equal(missingDep.status, 1);
    assert.match(missingDep.stderr, /^lockstep: cannot land without dependencies that have not landed: 'client' needs 'api'/m);

    const r = json(repo, ['land', 'client', 'api', '--atomic']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.body.landed, ['api', 'client']);
    const after = repo.git('rev-parse', 'main');
    assert.equal(r.body.after, after);
    // One compare-and-swap: main's first parents are Land client → Land api → the old tip.
    assert.deepEqual(repo.git('log', '--first-parent', '--format=%s', `${base}..main`).split('\n'), ['Land client', 'Land api']);
    assert.equal(repo.git('rev-parse', 'main^2'), clientTip);
    assert.equal(repo.git('rev-parse', 'main^1^2'), apiTip);
    assert.deepEqual(refsUnder(repo, 'refs/lockstep/landings/'), ['refs/lockstep/landings/1']);
    const t = tasks(repo);
    assert.equal(t.api.status, 'landed');
    assert.equal(t.client.status, 'landed');
    assert.equal(t.later.status, 'ready', 'phase 2 opened once all of phase 1 landed');
    assert.deepEqual(t.later.reasons, []);

    const undo = json(repo, ['undo-landing']);
    assert.equal(undo.status, 0, undo.stderr);
    assert.equal(undo.body.ok, true);
    assert.equal(undo.body.restored, base);
    assert.equal(undo.body.undone, after);
    assert.deepEqual(undo.body.tasks.sort(), ['api', 'client']);
    assert.match(undo.body.message, /^undid landing 1: main is back at [0-9a-f]{12}; api, client are finished again; re-created lockstep\/api, lockstep\/client$/);
    assert.equal(repo.git('rev-parse', 'main'), base);
    assert.equal(fs.readFileSync(path.join(repo.root, 'src/a.ts'), 'utf8'), 'a\n', 'the checkout of main went back too');
    // Nothing deleted: the branches are back at the tips that landed; the undone landing stays reachable.
    assert.equal(repo.git('rev-parse', 'lockstep/api'), apiTip);
    assert.equal(repo.git('rev-parse', 'lockstep/client'), clientTip);
    assert.deepEqual(refsUnder(repo, 'refs/lockstep/undone/'), ['refs/lockstep/undone/1']);
    const back = tasks(repo);
    assert.equal(back.api.status, 'finished');
    assert.equal(back.client.status, 'finished');
    assert.equal(back.api.landedAt, undefined);
    assert.equal(back.later.status, 'queued', 'phase 2 closes again');

    const again = cli(repo, ['undo-landing']);
    assert.equal(again.status, 1);
    assert.equal(again.stderr, 'lockstep: no landing onto main is recorded\n');

    // Land again, then something else moves main: undo refuses with the reason.
    assert.equal(cli(repo, ['land', 'api']).status, 0);
    repo.write('README.md', '# moved by hand\n');
    repo.commitAll('a commit straight on main');
    const moved = cli(repo, ['undo-landing']);
    assert.equal(moved.status, 1);
    assert.match(moved.stderr, /^lockstep: main is at [0-9a-f]{12}, not at the result of landing 2 \([0-9a-f]{12}\): something landed or moved since; undo refused\n$/);
    assert.equal(tasks(repo).api.status, 'landed');
  },
));

test('one by one: the first task lands, a conflicting one is marked conflicted with its paths; atomically nothing lands', withRepo(
  () => planRepo([{ id: 'first', scope: ['shared.txt'] }, { id: 'second', scope: ['shared.txt'] }, { id: 'third', scope: ['src/b.ts'] }]),
  (repo) => {
    const base = repo.git('rev-parse', 'main');
    commitOnBranch(repo, 'lockstep/first', base, { 'shared.txt': 'one\nTWO (first)\nthree\n' });
    commitOnBranch(repo, 'lockstep/second', base, { 'shared.txt': 'one\nTWO (second)\nthree\n' });
    commitOnBranch(repo, 'lockstep/third', base, { 'src/b.ts': 'third\n' });

    // Atomic: second conflicts with first; the target is untouched and nothing lands.
    const atomic = json(repo, ['land', 'first', 'second', '--atomic']);
    assert.equal(atomic.status, 1);
    assert.equal(atomic.body.ok, false);
    assert.deepEqual(atomic.body.landed, []);
    assert.deepEqual(atomic.body.culprit, { task: 'second', kind: 'conflict', paths: ['shared.txt'] });
    assert.equal(atomic.body.error, "'second' conflicts with main in shared.txt; nothing landed");
    assert.equal(repo.git('rev-parse', 'main'), base);
    let t = tasks(repo);
    assert.equal(t.first.status, 'finished', 'work made by hand stays landable');
    assert.equal(t.second.status, 'conflicted');
    assert.deepEqual(t.second.state.paths, ['shared.txt']);

    // One by one (the default): first lands, second conflicts with it, third is not tried.
    const one = cli(repo, ['land', 'first', 'second', 'third']);
    assert.equal(one.status, 1);
    const landedFirst = repo.git('rev-parse', 'main');
    assert.notEqual(landedFirst, base);
    assert.match(one.stdout, /^ {2}second: conflicted in shared\.txt$/m);
    assert.match(one.stderr, /^lockstep: 'second' conflicts with main in shared\.txt; landed first on main \([0-9a-f]{12}\); second, third did not land$/m);
    t = tasks(repo);
    assert.equal(t.first.status, 'landed');
    assert.equal(t.second.status, 'conflicted');
    assert.equal(t.third.status, 'finished');
    assert.equal(repo.git('show', 'main:src/b.ts'), 'b', 'third did not land');
    assert.notEqual(repo.git('branch', '--list', 'lockstep/second'), '', 'the conflicted branch is kept');
  },
));

test('a failing verify marks the culprit failed, keeps the target, and its output is shown by check-output', withRepo(
  () =>
    planRepo([{ id: 'good', scope: ['src/a.ts'] }, { id: 'bad', scope: ['src/b.ts'] }], {
      verify: [process.execPath, '-e', "const b = require('fs').readFileSync('src/b.ts', 'utf8'); console.error('checking src/b.ts'); if (b.includes('broken')) { console.error('FAIL: src/b.ts is broken'); process.exit(3); }"],
    }),
  (repo) => {
    const base = repo.git('rev-parse', 'main');
    commitOnBranch(repo, 'lockstep/good', base, { 'src/a.ts': 'good\n' });
    commitOnBranch(repo, 'lockstep/bad', base, { 'src/b.ts': 'broken\n' });
    assert.equal(cli(repo, ['check-output', 'bad']).status, 1, 'nothing kept yet');

    const r = json(repo, ['land', 'good', 'bad', '--atomic']);
    assert.equal(r.status, 1);
    assert.equal(r.body.culprit.task, 'bad', 'the check bisects to the task that breaks it');
    assert.equal(r.body.culprit.kind, 'check');
    assert.match(r.body.culprit.output, /FAIL: src\/b\.ts is broken/);
    assert.match(r.body.error, /^verify failed after merging 'bad' \(exit 3\); nothing landed; check output in .*bad-check\.log$/);
    assert.equal(repo.git('rev-parse', 'main'), base);
    const t = tasks(repo);
    assert.equal(t.good.status, 'finished');
    assert.equal(t.bad.status, 'failed');
    assert.equal(t.bad.state.reason, 'verify failed (exit 3): FAIL: src/b.ts is broken');
    // The terminal shows the failing lines themselves, not only where they are.
    const text = cli(repo, ['land', 'bad']);
    assert.equal(text.status, 1);
    assert.match(text.stdout, /^ {2}bad: failed its check; its output:\n {4}\| checking src\/b\.ts\n {4}\| FAIL: src\/b\.ts is broken\n {2}whole output: lockstep check-output bad \(.*bad-check\.log\)$/m);

    const out = cli(repo, ['check-output', 'bad']);
    assert.equal(out.status, 0, out.stderr);
    assert.match(out.stdout, /^--- .* lockstep: landing check .* with 'bad' merged → exit 3$/m);
    assert.match(out.stdout, /^checking src\/b\.ts$/m);
    assert.match(out.stdout, /^FAIL: src\/b\.ts is broken$/m);
    const asJson = json(repo, ['check-output', 'bad']);
    assert.equal(asJson.body.file, r.body.culprit.checkLog);
    assert.equal(asJson.body.text, out.stdout);

    // Fixed by hand on its branch, the failed task lands.
    commitOnBranch(repo, 'lockstep/bad', repo.git('rev-parse', 'lockstep/bad'), { 'src/b.ts': 'fixed\n' });
    const fixed = cli(repo, ['land', 'good', 'bad']);
    assert.equal(fixed.status, 0, fixed.stderr);
    assert.match(fixed.stdout, /^landed good, bad on main/);
  },
));
