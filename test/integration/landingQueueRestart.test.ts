// The landing queue killed (-9) at every step of a batch that holds a culprit, through the real CLI
// (`lockstep land --queue`): the target is either unchanged or at the complete batch (every passing
// task, never a subset), no worktree or temporary ref is left, and the queue run again after the
// "restart" ends where an uninterrupted run ends: the passing tasks landed, the culprit failed with its
// check output, its dependant held.
import { test, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ensureBuilt } from '../helpers/cli';
import type { TempRepo } from '../helpers/tempRepo';
import { openRepoStore } from '../../src/store/openRepoStore';
import { commitOnBranch } from './fixtures/landingRepo';
import { cli, json, planRepo, tasks } from './fixtures/landingFlowRepo';

before(() => ensureBuilt());

const VERIFY = [process.execPath, '-e', "const b = require('fs').readdirSync('src').filter((f) => f.startsWith('BAD')); if (b.length) { console.log('broken by', b.join(' ')); process.exit(2); }"];
const PASSING = ['one', 'two'];

function queueRepo(): { repo: TempRepo; base: string; tips: Record<string, string> } {
  const repo = planRepo(
    [
      { id: 'one', scope: ['src/one.ts'] },
      { id: 'bad', scope: ['src/BAD.ts'] },
      { id: 'two', scope: ['src/two.ts'] },
      { id: 'after-bad', scope: ['src/after.ts'], dependsOn: ['bad'] },
    ],
    { verify: VERIFY, landingQueue: { batchSize: 8, parallel: 1 } },
  );
  const base = repo.git('rev-parse', 'main');
  const tips: Record<string, string> = {};
  for (const [id, file] of [['one', 'src/one.ts'], ['bad', 'src/BAD.ts'], ['two', 'src/two.ts'], ['after-bad', 'src/after.ts']]) {
    commitOnBranch(repo, `lockstep/${id}`, base, { [file]: `${id}\n` });
    tips[id] = repo.git('rev-parse', `lockstep/${id}`);
  }
  const { store } = openRepoStore(repo.root);
  const at = Date.now();
  store.transact((t) => {
    for (const [i, id] of ['one', 'bad', 'two', 'after-bad'].entries()) t.setTask({ id, state: { status: 'finished' }, branch: `lockstep/${id}`, sessions: [], finishedAt: at + i });
  });
  return { repo, base, tips };
}

const contains = (repo: TempRepo, tip: string, commit: string) => {
  try {
    repo.git('merge-base', '--is-ancestor', tip, commit);
    return true;
  } catch {
    return false;
  }
};

// landingQueue.test.ts kills land() itself after merges and in the first check, on a batch without culprit.
describe('kill -9 of lockstep land --queue at every step of a batch with a culprit', { concurrency: 2 }, () => {
  // Check 1 verifies the whole batch (it fails); check 2 is the bisection's.
  for (const fault of ['after-candidate', 'during-check:2', 'before-ref-update', 'after-ref-update']) {
    test(`SIGKILL ${fault}: the target is unchanged or the complete batch; run again, the queue ends as an uninterrupted run`, async () => {
      const { repo, base, tips } = queueRepo();
      try {
        const killed = cli(repo, ['land', '--queue'], { LOCKSTEP_FAULT: fault });
        assert.equal(killed.signal, 'SIGKILL', `died by SIGKILL (exit ${killed.status}): ${killed.stdout}${killed.stderr}`);
        const main = repo.git('rev-parse', 'main');
        const landed = PASSING.filter((id) => contains(repo, tips[id]!, main));
        if (main === base) assert.deepEqual(landed, []);
        else assert.deepEqual(landed, PASSING, `a complete batch or nothing (${fault})`);
        assert.equal(contains(repo, tips.bad!, main), false, 'the culprit never lands');
        assert.equal(contains(repo, tips['after-bad']!, main), false, "the culprit's dependant never lands");

        // Restarted: the queue settles the interrupted batch and lands what waits.
        const again = cli(repo, ['land', '--queue']);
        assert.ok(again.status === 0 || again.status === 1, `${again.stdout}${again.stderr}`);
        const end = repo.git('rev-parse', 'main');
        for (const id of PASSING) assert.ok(contains(repo, tips[id]!, end), `${id} landed after the restart`);
        assert.equal(contains(repo, tips.bad!, end), false);
        assert.deepEqual(repo.git('ls-tree', '--name-only', 'main', 'src/').split('\n').sort(), ['src/a.ts', 'src/b.ts', 'src/one.ts', 'src/two.ts']);
        const t = tasks(repo);
        for (const id of PASSING) assert.equal(t[id].status, 'landed', id);
        assert.equal(t.bad.status, 'failed');
        assert.match(t.bad.state.reason, /verify failed \(exit 2\): broken by BAD\.ts/);
        assert.equal(t['after-bad'].status, 'finished');
        const q = json(repo, ['queue']);
        const states = Object.fromEntries(q.body.entries.map((e: { id: string; state: string }) => [e.id, e.state]));
        assert.deepEqual(states, { one: 'landed', two: 'landed', bad: 'failed', 'after-bad': 'held' });
        // Nothing left behind (the queue cleans what the killed run left): no check worktree, no temporary ref, the checkout on main.
        assert.equal(repo.git('worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree ')).length, 1);
        assert.equal(repo.git('for-each-ref', '--format=%(refname)', 'refs/lockstep/tmp/'), '');
        assert.equal(repo.git('status', '--porcelain'), '');
      } finally {
        repo.cleanup();
      }
    });
  }
});
