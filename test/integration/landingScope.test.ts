// Landing checks that a branch stayed in its task's scope: a file outside it (a shell write, a hand
// commit) is named and nothing lands, unless --allow-out-of-scope, which the landing record keeps.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { ensureBuilt } from '../helpers/cli';
import { commitOnBranch } from './fixtures/landingRepo';
import { cli, json, planRepo, tasks, withRepo } from './fixtures/landingFlowRepo';

before(() => ensureBuilt());

test('a branch with files outside its scope is refused, naming them; --allow-out-of-scope lands it and the landing records them', withRepo(
  () => planRepo([{ id: 'api', scope: ['src/a.ts'] }]),
  (repo) => {
    const base = repo.git('rev-parse', 'main');
    commitOnBranch(repo, 'lockstep/api', base, { 'src/a.ts': 'api\n', 'docs/stray.md': 'stray\n' });
    const refused = cli(repo, ['land', 'api']);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /^lockstep: cannot land 'api': lockstep\/api changes a file outside its scope \(src\/a\.ts\): docs\/stray\.md; take it off the branch, widen the task's scope in \.lockstep\/plan\.yaml, or land with --allow-out-of-scope/m);
    assert.equal(repo.git('rev-parse', 'main'), base, 'nothing landed');

    const allowed = json(repo, ['land', 'api', '--allow-out-of-scope']);
    assert.equal(allowed.status, 0, allowed.stderr);
    assert.match(allowed.stderr, /lockstep land: api lands docs\/stray\.md outside its scope \(allowed; recorded in the landing\)/);
    assert.equal(tasks(repo).api.status, 'landed');
    const record = JSON.parse(repo.git('show', '-s', '--format=%b', 'refs/lockstep/landings/1'));
    assert.deepEqual(record.tasks, [{ id: 'api', branch: 'lockstep/api', outOfScope: ['docs/stray.md'] }]);
  },
));
