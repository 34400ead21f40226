// The landing queue in the real coordinator server (node dist/server.js --stdio), as VS Code uses it:
// with landingQueue.enabled the coordinator lands finished tasks by itself, batch after batch, and
// tells the client each batch (`lockstep/landingQueueBatch`); SchedulerState.queue shows waiting, held,
// failed (with the reason) and landed; pauseLandingQueue holds what finishes next until resumed; a
// coordinator killed (-9) in the middle of a batch's check is followed by one that lands the batch.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { ensureBuilt } from '../helpers/cli';
import type { TempRepo } from '../helpers/tempRepo';
import { openRepoStore } from '../../src/store/openRepoStore';
import type { LandingQueueBatch, QueueView, SchedulerState } from '../../src/protocol/schedulerMethods';
import { commitOnBranch } from './fixtures/landingRepo';
import { planRepo, withRepo } from './fixtures/landingFlowRepo';
import { startServer, type ServerHandle } from './serverHarness';

before(() => ensureBuilt());

const VERIFY = [process.execPath, '-e', "const b = require('fs').readdirSync('src').filter((f) => f.startsWith('BAD')); if (b.length) { console.log('broken by', b.join(' ')); process.exit(2); }"];

function finish(repo: TempRepo, ids: string[]): void {
  const base = repo.git('rev-parse', 'main');
  for (const id of ids) commitOnBranch(repo, `lockstep/${id}`, base, { [id === 'bad' ? 'src/BAD.ts' : `src/${id}.ts`]: `${id}\n` });
  const { store } = openRepoStore(repo.root);
  const at = Date.now();
  store.transact((t) => {
    for (const [i, id] of ids.entries()) t.setTask({ id, state: { status: 'finished' }, branch: `lockstep/${id}`, sessions: [], finishedAt: at + i });
  });
}

/** Follows the server's scheduler state and queue batches. */
function watch(server: ServerHandle) {
  let state: SchedulerState | undefined;
  const batches: LandingQueueBatch[] = [];
  const listeners = new Set<() => void>();
  server.conn.onNotification('lockstep/schedulerChanged', (s: SchedulerState) => {
    state = s;
    for (const l of [...listeners]) l();
  });
  server.conn.onNotification('lockstep/landingQueueBatch', (b: LandingQueueBatch) => {
    batches.push(b);
    for (const l of [...listeners]) l();
  });
  const until = <T>(what: string, get: () => T | undefined, timeoutMs = 120_000) =>
    new Promise<T>((resolve, reject) => {
      const check = () => {
        const v = get();
        if (v === undefined) return;
        listeners.delete(check);
        clearTimeout(timer);
        resolve(v);
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`timed out waiting for ${what}; queue: ${JSON.stringify(state?.queue)}; batches: ${JSON.stringify(batches.map((b) => b.result.message))}`));
      }, timeoutMs);
      listeners.add(check);
      check();
    });
  const queueWhere = (what: string, pred: (q: QueueView) => boolean) => until(what, () => (state?.queue && pred(state.queue) ? state.queue : undefined));
  return { batches, until, queueWhere, state: () => state };
}

const stateOf = (q: QueueView, id: string) => q.entries.find((e) => e.id === id);

test('landingQueue.enabled: the coordinator lands finished tasks by itself in a batch, names the culprit, holds its dependant; pause holds, resume lands', withRepo(
  () =>
    planRepo(
      [
        { id: 'one', scope: ['src/one.ts'] },
        { id: 'bad', scope: ['src/BAD.ts'] },
        { id: 'after-bad', scope: ['src/after-bad.ts'], dependsOn: ['bad'] },
        { id: 'two', scope: ['src/two.ts'] },
        { id: 'late', scope: ['src/late.ts'] },
      ],
      { verify: VERIFY, landingQueue: { enabled: true, batchSize: 8, parallel: 2 } },
    ),
  async (repo) => {
    const base = repo.git('rev-parse', 'main');
    finish(repo, ['two', 'bad', 'after-bad', 'one']);
    const server = await startServer({ root: repo.root });
    const w = watch(server);
    try {
      // Nobody asked: the coordinator ran the queue because the plan enables it.
      const [batch] = await w.until('the first batch', () => (w.batches.length > 0 ? w.batches : undefined));
      assert.deepEqual(batch!.ids, ['two', 'bad', 'after-bad', 'one'], 'dependency then finishing order');
      assert.deepEqual(batch!.result.landed, ['two', 'one']);
      assert.deepEqual((batch!.result.culprits ?? []).map((c) => [c.task, c.kind]), [['bad', 'check']]);
      assert.match(batch!.result.message, /^landed two, one on main \([0-9a-f]{12}\) in one batch; 'bad' fails the check \(exit 2\); 'after-bad' waits for 'bad'/);
      assert.equal(repo.git('show', 'main:src/one.ts'), 'one');
      assert.equal(repo.git('show', 'main:src/two.ts'), 'two');
      assert.equal(repo.git('rev-parse', 'main~2'), base);
      assert.equal(repo.git('for-each-ref', '--format=%(refname)', 'refs/lockstep/landings/'), 'refs/lockstep/landings/1', 'one compare-and-swap');

      const q = await w.queueWhere('the queue after the batch', (x) => stateOf(x, 'bad')?.state === 'failed' && stateOf(x, 'one')?.state === 'landed');
      assert.equal(q.enabled, true);
      assert.equal(q.paused, false);
      assert.match(stateOf(q, 'bad')!.reason!, /verify failed \(exit 2\): broken by BAD\.ts/);
      assert.equal(stateOf(q, 'after-bad')!.state, 'held');
      assert.match(stateOf(q, 'after-bad')!.reason!, /waits for 'bad' \(failed/);

      // Paused: a task that finishes now waits; resumed, it lands.
      const paused = (await server.conn.sendRequest('lockstep/pauseLandingQueue', { paused: true })) as QueueView;
      assert.equal(paused.paused, true);
      const landedBefore = repo.git('rev-parse', 'main');
      finish(repo, ['late']);
      await w.queueWhere('late waiting in the paused queue', (x) => x.paused && stateOf(x, 'late')?.state === 'waiting');
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(repo.git('rev-parse', 'main'), landedBefore, 'nothing lands while paused');
      assert.equal(w.batches.length, 1);
      const resumed = (await server.conn.sendRequest('lockstep/pauseLandingQueue', { paused: false })) as QueueView;
      assert.equal(resumed.paused, false);
      const second = await w.until('the second batch', () => w.batches[1]);
      assert.deepEqual(second.ids, ['late']);
      assert.deepEqual(second.result.landed, ['late']);
      assert.equal(repo.git('show', 'main:src/late.ts'), 'late');
    } finally {
      await server.stop();
    }
  },
));

test('a coordinator killed (-9) during a batch check: the target is unchanged, and the next coordinator lands the whole batch', withRepo(
  () => planRepo([{ id: 'one', scope: ['src/one.ts'] }, { id: 'two', scope: ['src/two.ts'] }], { verify: VERIFY, landingQueue: { enabled: true } }),
  async (repo) => {
    const base = repo.git('rev-parse', 'main');
    finish(repo, ['one', 'two']);
    const killed = await startServer({ root: repo.root, env: { LOCKSTEP_FAULT: 'during-check' } });
    await new Promise<void>((resolve) => (killed.proc.exitCode !== null || killed.proc.signalCode !== null ? resolve() : killed.proc.once('exit', () => resolve())));
    assert.equal(killed.proc.signalCode, 'SIGKILL', killed.stderr.join(''));
    killed.conn.dispose();
    assert.equal(repo.git('rev-parse', 'main'), base);

    const server = await startServer({ root: repo.root });
    const w = watch(server);
    try {
      const q = await w.queueWhere('both landed after the restart', (x) => stateOf(x, 'one')?.state === 'landed' && stateOf(x, 'two')?.state === 'landed');
      assert.deepEqual(q.entries.map((e) => e.state), ['landed', 'landed']);
      assert.equal(repo.git('rev-parse', 'main~2'), base);
      assert.equal(repo.git('for-each-ref', '--format=%(refname)', 'refs/lockstep/landings/'), 'refs/lockstep/landings/1', 'one landing, both tasks');
      assert.equal(repo.git('show', 'main:src/one.ts'), 'one');
      assert.equal(repo.git('show', 'main:src/two.ts'), 'two');
      assert.equal(repo.git('worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree ')).length, 1, 'the killed check worktree was cleaned');
    } finally {
      await server.stop();
    }
  },
));
