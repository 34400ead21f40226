// Landing through the real coordinator server (node dist/server.js --stdio) over JSON-RPC, as the
// extension does it: landable tasks, landTasks with `lockstep/landingProgress` notifications, the
// landed commit as text, a failed check's output, undoLanding, and bad params named in one line.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import { ensureBuilt } from '../helpers/cli';
import { makeTempRepo } from '../helpers/tempRepo';
import { commitOnBranch } from './fixtures/landingRepo';
import { startServer } from './serverHarness';
import type { LandableTasksResult, LandingProgress, LandTasksResult, SchedulerState, UndoLandingResult } from '../../src/protocol/schedulerMethods';

before(() => ensureBuilt());

test('the coordinator lands tasks with progress, shows the commit and check output, and undoes the landing', async () => {
  const repo = makeTempRepo({ files: { 'README.md': '# r\n', 'src/a.ts': 'a\n', 'src/b.ts': 'b\n' } });
  repo.write(
    '.lockstep/plan.yaml',
    stringify({
      target: 'main',
      verify: [process.execPath, '-e', "if (require('fs').readFileSync('src/b.ts', 'utf8').includes('broken')) { console.error('b is broken'); process.exit(1); }"],
      tasks: [
        { id: 'api', title: 'API', prompt: 'api', scope: ['src/a.ts'] },
        { id: 'client', title: 'Client', prompt: 'client', scope: ['src/b.ts'], dependsOn: ['api'] },
        { id: 'docs', title: 'Docs', prompt: 'docs', scope: ['docs/**'] },
      ],
    }),
  );
  repo.commitAll('plan');
  const base = repo.git('rev-parse', 'main');
  commitOnBranch(repo, 'lockstep/api', base, { 'src/a.ts': 'api\n' });
  commitOnBranch(repo, 'lockstep/client', base, { 'src/b.ts': 'broken\n' });
  const server = await startServer({ root: repo.root });
  const conn = server.conn;
  const progress: LandingProgress[] = [];
  const states: SchedulerState[] = [];
  conn.onNotification('lockstep/landingProgress', (p: LandingProgress) => void progress.push(p));
  conn.onNotification('lockstep/schedulerChanged', (s: SchedulerState) => void states.push(s));
  try {
    const landable = (await conn.sendRequest('lockstep/getLandableTasks', {})) as LandableTasksResult;
    assert.equal(landable.target, 'main');
    assert.deepEqual(landable.tasks.map((t) => [t.id, t.status, t.branch, t.ahead]), [['api', 'ready', 'lockstep/api', 1], ['client', 'queued', 'lockstep/client', 1]]);

    await assert.rejects(conn.sendRequest('lockstep/landTasks', { ids: [], atomic: true }), (e: { code: number; message: string }) => e.code === -32602 && /^lockstep\/landTasks: ids: /.test(e.message));
    await assert.rejects(conn.sendRequest('lockstep/landTasks', { ids: ['docs'] }), (e: Error) => /^lockstep\/landTasks: cannot land 'docs': branch lockstep\/docs does not exist/.test(e.message));

    // The check fails with client merged: client is the culprit, its output kept; the target stays.
    const failed = (await conn.sendRequest('lockstep/landTasks', { ids: ['api', 'client'], atomic: true })) as LandTasksResult;
    assert.equal(failed.ok, false);
    assert.equal(failed.culprit?.task, 'client');
    assert.equal(failed.before, base);
    assert.equal(failed.after, base);
    assert.equal(repo.git('rev-parse', 'main'), base);
    const out = (await conn.sendRequest('lockstep/getCheckOutput', { id: 'client' })) as { exists: boolean; text: string; file: string };
    assert.equal(out.exists, true);
    assert.equal(out.file, failed.culprit?.checkLog);
    assert.match(out.text, /^b is broken$/m);
    assert.deepEqual(await conn.sendRequest('lockstep/getCheckOutput', { id: 'api' }), { id: 'api', file: out.file.replace('client-check', 'api-check'), exists: false, text: '' });
    assert.ok(progress.some((p) => p.step === 'verifying'), JSON.stringify(progress));
    assert.ok(progress.some((p) => p.step === 'verified' && p.detail === 'the check failed'));

    // Fixed by hand; both land atomically, with every step reported.
    commitOnBranch(repo, 'lockstep/client', repo.git('rev-parse', 'lockstep/client'), { 'src/b.ts': 'client\n' });
    progress.length = 0;
    const landed = (await conn.sendRequest('lockstep/landTasks', { ids: ['client', 'api'], atomic: true })) as LandTasksResult;
    assert.equal(landed.ok, true, landed.message);
    assert.deepEqual(landed.landed, ['api', 'client']);
    assert.equal(landed.after, repo.git('rev-parse', 'main'));
    assert.deepEqual([...new Set(progress.map((p) => p.step))], ['checking', 'merging', 'verifying', 'verified', 'moving-target', 'landed', 'checkout', 'cleanup']);
    assert.deepEqual(progress.filter((p) => p.step === 'merging' && p.task).map((p) => p.task), ['api', 'client']);
    const end = Date.now() + 10_000;
    while (!states.at(-1)?.tasks.every((t) => t.id === 'docs' || t.status === 'landed')) {
      assert.ok(Date.now() < end, 'schedulerChanged shows both landed');
      await new Promise((r) => setTimeout(r, 50));
    }

    const commit = (await conn.sendRequest('lockstep/getCommitText', { commit: landed.after })) as { text: string };
    assert.match(commit.text, /^commit [0-9a-f]{40}$/m);
    assert.match(commit.text, /Land client/);
    assert.match(commit.text, /src\/b\.ts \| 2 \+-/);
    const whole = (await conn.sendRequest('lockstep/getCommitText', { commit: landed.after, since: landed.before })) as { text: string };
    assert.equal(whole.text.split('\n')[0], `Landed: ${base.slice(0, 12)} → ${landed.after!.slice(0, 12)}`);
    assert.match(whole.text, /^ 2 files changed, 2 insertions\(\+\), 2 deletions\(-\)$/m);
    assert.deepEqual([...whole.text.matchAll(/^ {4}(Land \w+)$/gm)].map((m) => m[1]), ['Land client', 'Land api']);
    await assert.rejects(conn.sendRequest('lockstep/getCommitText', { commit: 'main' }), (e: Error) => /commit: expected a full commit id/.test(e.message));
    await assert.rejects(conn.sendRequest('lockstep/getCommitText', { commit: 'f'.repeat(40) }), (e: Error) => /is not a commit of this repository/.test(e.message));

    await assert.rejects(conn.sendRequest('lockstep/undoLanding', { rebaseDependents: 'yes' }), (e: Error) => /rebaseDependents/.test(e.message));
    const undo = (await conn.sendRequest('lockstep/undoLanding', {})) as UndoLandingResult;
    assert.equal(undo.ok, true, undo.message);
    assert.deepEqual(undo.tasks.sort(), ['api', 'client']);
    assert.equal(repo.git('rev-parse', 'main'), base);
    const refused = (await conn.sendRequest('lockstep/undoLanding', {})) as UndoLandingResult;
    assert.deepEqual(refused, { ok: false, message: 'no landing onto main is recorded', target: 'main', tasks: [], branches: [] });
    const after = (await conn.sendRequest('lockstep/getSchedulerState', {})) as SchedulerState;
    assert.deepEqual(after.tasks.map((t) => [t.id, t.status]), [['api', 'finished'], ['client', 'finished'], ['docs', 'ready']]);
  } finally {
    await server.stop();
    repo.cleanup();
  }
});
