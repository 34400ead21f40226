// The landing queue through the real CLI: finished tasks wait in dependency then finishing order
// (`lockstep queue`), `lockstep land --queue` lands them in batches, a culprit is marked failed with its
// check output and told through its task's mailbox, its dependant is held; pause/resume. `lockstep run`
// with landingQueue.enabled lands through the queue.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI, ensureBuilt } from '../helpers/cli';
import { makeSchedRepo } from '../fixtures/plans/schedulerRepo';
import { openRepoStore } from '../../src/store/openRepoStore';
import { openMemory } from '../../src/store/openMemory';
import { commitOnBranch } from './fixtures/landingRepo';
import { cli, json, planRepo, tasks, withRepo } from './fixtures/landingFlowRepo';

before(() => ensureBuilt());

const VERIFY = [process.execPath, '-e', "const b = require('fs').readdirSync('src').filter((f) => f.startsWith('BAD')); if (b.length) { console.log('broken by', b.join(' ')); process.exit(2); }"];

test('land --queue lands the finished tasks that pass in one batch; the culprit is failed and told, its dependant held', withRepo(
  () =>
    planRepo(
      [
        { id: 'one', scope: ['src/one.ts'] },
        { id: 'bad', scope: ['src/BAD.ts'] },
        { id: 'after-bad', scope: ['src/after.ts'], dependsOn: ['bad'] },
        { id: 'two', scope: ['src/two.ts'] },
        { id: 'idle', scope: ['src/idle.ts'] },
      ],
      { verify: VERIFY, landingQueue: { batchSize: 8, parallel: 2 } },
    ),
  (repo) => {
    const base = repo.git('rev-parse', 'main');
    commitOnBranch(repo, 'lockstep/one', base, { 'src/one.ts': '1\n' });
    commitOnBranch(repo, 'lockstep/bad', base, { 'src/BAD.ts': 'x\n' });
    commitOnBranch(repo, 'lockstep/after-bad', base, { 'src/after.ts': 'after\n' }); // depends on bad in the plan
    commitOnBranch(repo, 'lockstep/two', base, { 'src/two.ts': '2\n' });
    commitOnBranch(repo, 'lockstep/idle', base, { 'src/idle.ts': 'i\n' }); // not finished: does not queue
    const { store } = openRepoStore(repo.root);
    const finishedAt = Date.now();
    store.transact((t) => {
      // finishing order: two, bad, after-bad, one
      for (const [i, id] of ['two', 'bad', 'after-bad', 'one'].entries()) t.setTask({ id, state: { status: 'finished' }, branch: `lockstep/${id}`, sessions: [], finishedAt: finishedAt + i });
    });

    const q = json(repo, ['queue']);
    assert.equal(q.status, 0, q.stderr);
    assert.equal(q.body.paused, false);
    assert.deepEqual(q.body.entries.filter((e: any) => e.state === 'waiting').map((e: any) => e.id), ['two', 'bad', 'after-bad', 'one']);

    // Paused: nothing lands.
    assert.equal(cli(repo, ['queue', 'pause']).stdout, 'the landing queue is paused\n');
    const paused = cli(repo, ['land', '--queue']);
    assert.equal(paused.status, 0, paused.stderr);
    assert.match(paused.stdout, /the queue is paused/);
    assert.equal(repo.git('rev-parse', 'main'), base);
    assert.equal(cli(repo, ['queue', 'resume']).stdout, 'the landing queue is running\n');

    const run = cli(repo, ['land', '--queue']);
    assert.equal(run.status, 1, `a culprit makes the run fail: ${run.stdout}${run.stderr}`);
    assert.match(run.stdout, /^batch 1: landed two, one on main \([0-9a-f]{12}\) in one batch; 'bad' fails the check \(exit 2\); 'after-bad' waits for 'bad'; \d verification runs$/m);
    assert.match(run.stdout, /^ {4}\| broken by BAD\.ts$/m);
    assert.equal(repo.git('show', 'main:src/one.ts'), '1');
    assert.equal(repo.git('show', 'main:src/two.ts'), '2');
    assert.equal(repo.git('for-each-ref', '--format=%(refname)', 'refs/lockstep/landings/'), 'refs/lockstep/landings/1', 'one compare-and-swap');

    const t = tasks(repo);
    assert.equal(t.one.status, 'landed');
    assert.equal(t.two.status, 'landed');
    assert.equal(t.bad.status, 'failed');
    assert.match(t.bad.state.reason, /verify failed \(exit 2\): broken by BAD\.ts/);
    assert.equal(t['after-bad'].status, 'finished');
    assert.match(cli(repo, ['check-output', 'bad']).stdout, /broken by BAD\.ts/);

    // The culprit's agent is told through its mailbox.
    const inbox = openMemory(store).inbox({ id: 'claude:bad-1', task: 'bad' });
    assert.equal(inbox.length, 1);
    assert.equal(inbox[0].from, 'lockstep:landing');
    assert.match(inbox[0].text, /could not land lockstep\/bad: the verify command failed/);

    const after = json(repo, ['queue']);
    const states = Object.fromEntries(after.body.entries.map((e: any) => [e.id, e]));
    assert.equal(states['after-bad'].state, 'held');
    assert.match(states['after-bad'].reason, /waits for 'bad' \(failed/);
    assert.equal(states.bad.state, 'failed');
    assert.equal(states.one.state, 'landed');
    const text = cli(repo, ['queue']).stdout;
    assert.match(text, /^landing queue onto main: running \(landingQueue\.enabled is off: lockstep land --queue runs it\); batches of 8, 2 checks at once$/m);

    // Nothing waits now: the next run does nothing and succeeds.
    const idle = cli(repo, ['land', '--queue']);
    assert.equal(idle.status, 0, idle.stderr);
    assert.match(idle.stdout, /nothing waits in the landing queue/);
  },
));

test('lockstep run with landingQueue.enabled lands what finishes through the queue; the culprit fails, its dependant never starts', async () => {
  const r = makeSchedRepo();
  try {
    r.writePlan({
      maxParallel: 3,
      verify: [process.execPath, '-e', "if (require('fs').existsSync('src/BAD.ts')) { console.log('broken by BAD.ts'); process.exit(2); }"],
      landingQueue: { enabled: true, batchSize: 8 },
      tasks: [
        { id: 'one', scope: ['src/one.ts'], sim: { edits: [{ path: 'src/one.ts', content: '1\n' }], commit: 'commit of one' } },
        { id: 'bad', scope: ['src/BAD.ts'], sim: { edits: [{ path: 'src/BAD.ts', content: 'x\n' }], commit: 'commit of bad' } },
        { id: 'two', scope: ['src/two.ts'], sim: { edits: [{ path: 'src/two.ts', content: '2\n' }], commit: 'commit of two' } },
        { id: 'after-bad', scope: ['src/after.ts'], dependsOn: ['bad'], sim: { edits: [{ path: 'src/after.ts', content: 'a\n' }], commit: 'commit of after-bad' } },
      ],
    });
    const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'run', '--json'], { cwd: r.repo.root, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c) => (stdout += c));
      child.stderr.on('data', (c) => (stderr += c));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    assert.equal(out.code, 1, out.stderr + out.stdout);
    const summary = JSON.parse(out.stdout);
    assert.deepEqual([...summary.landed].sort(), ['one', 'two']);
    const byId = Object.fromEntries(summary.tasks.map((t: any) => [t.id, t]));
    assert.equal(byId.bad.status, 'failed');
    assert.match(byId.bad.reasons.join(' '), /verify failed \(exit 2\): broken by BAD\.ts/);
    assert.equal(byId['after-bad'].status, 'queued');
    assert.equal(fs.existsSync(path.join(r.scratch, 'after-bad.json')), false, 'the dependant never started');
    // Landed by the queue (batches), not one by one.
    assert.match(out.stderr, /lockstep run: (one|two) landed in a batch: landed /);
    assert.doesNotMatch(r.repo.git('log', '--format=%s', 'main'), /commit of bad/);
    assert.equal(r.repo.git('show', 'main:src/one.ts'), '1');
    assert.equal(r.repo.git('show', 'main:src/two.ts'), '2');
  } finally {
    await r.cleanup();
  }
});
