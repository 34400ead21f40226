// The scheduler at run time on real temp repositories, with simulated agents (simAgent.mjs) launched
// by the real ChildProcessLauncher and asking the real `lockstep hook` before every edit.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureBuilt, runCli } from '../helpers/cli';
import { makeSchedRepo, type SchedRepo } from '../fixtures/plans/schedulerRepo';
import type { Scheduler } from '../../src/scheduler/scheduler';

before(() => ensureBuilt());

function withRepo(fn: (r: SchedRepo) => Promise<void>) {
  return async () => {
    const r = makeSchedRepo();
    try {
      await fn(r);
    } finally {
      await r.cleanup();
    }
  };
}

async function statusOf(s: Scheduler, id: string) {
  const t = (await s.list()).tasks.find((x) => x.id === id);
  assert.ok(t, `task ${id} listed`);
  return t;
}

/** Waits until the task has the status (its agent's exit is reported asynchronously). */
async function until(s: Scheduler, id: string, status: string, timeoutMs = 20_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const t = await statusOf(s, id);
    if (t.status === status) return t;
    if (Date.now() > end) assert.fail(`task ${id} is ${t.status}, expected ${status}`);
    await s.waitForChange(200);
  }
}

/** A Claude PreToolUse payload from a session the scheduler did not start, through the real CLI. */
function foreignEdit(cwd: string, file: string) {
  const payload = {
    session_id: 'outsider-1',
    transcript_path: path.join(cwd, 'x.jsonl'),
    cwd,
    permission_mode: 'default',
    hook_event_name: 'PreToolUse',
    tool_name: 'Edit',
    tool_input: { file_path: path.join(cwd, file), old_string: 'a', new_string: 'b', replace_all: false },
    tool_use_id: 'toolu_outsider',
  };
  const env = { ...process.env };
  for (const k of ['LOCKSTEP_TASK', 'LOCKSTEP_SESSION', 'LOCKSTEP_AGENT_PID', 'LOCKSTEP_READ_ONLY']) delete env[k];
  const r = runCli(['hook'], { cwd, input: JSON.stringify(payload), env });
  const out = r.stdout.trim() ? JSON.parse(r.stdout) : {};
  return { denied: out.hookSpecificOutput?.permissionDecision === 'deny', reason: String(out.hookSpecificOutput?.permissionDecisionReason ?? '') };
}

test('overlapping tasks run one after the other; disjoint tasks run in parallel', withRepo(async (r) => {
  r.writePlan({
    autoRun: true,
    tasks: [
      { id: 'a', scope: ['src/a.ts'], sim: { waitFor: r.go('a'), edits: [{ path: 'src/a.ts', content: 'A\n' }], commit: 'task a' } },
      { id: 'b', scope: ['src/**'], sim: { edits: [{ path: 'src/b.ts', content: 'B\n' }], commit: 'task b' } },
      { id: 'c', scope: ['docs/**'], sim: { waitFor: r.go('c'), edits: [{ path: 'docs/c.md', content: 'C\n' }], commit: 'task c' } },
    ],
  });
  const s = r.scheduler();
  const tick = await s.tick();
  assert.deepEqual(tick.started.map((x) => x.task.id).sort(), ['a', 'c']);
  const b = await statusOf(s, 'b');
  assert.equal(b.status, 'queued');
  assert.match(b.reasons.join('\n'), /waits for 'a': its src\/a\.ts overlaps src\/\*\* \(1 file, e\.g\. src\/a\.ts\)/);
  await assert.rejects(s.start('b'), /cannot start 'b': waits for 'a'/);

  // Both disjoint agents are running at the same time: each sees the other once released.
  const peersDir = path.join(r.scratch, 'peers');
  const end = Date.now() + 10_000;
  while (fs.readdirSync(peersDir).length < 2 && Date.now() < end) await new Promise((res) => setTimeout(res, 25));
  r.release('a');
  r.release('c');
  const [ra, rc] = [await r.result('a'), await r.result('c')];
  assert.deepEqual(rc.peersLater, ['a']);
  assert.deepEqual(ra.peersLater, ['c']);
  await until(s, 'a', 'finished');

  // a finished: b may start now, and it never overlapped a.
  const next = await s.tick();
  assert.deepEqual(next.started.map((x) => x.task.id), ['b']);
  const rb = await r.result('b');
  assert.ok(!rb.peersAtStart.includes('a'), `b started while a ran: ${rb.peersAtStart}`);
  assert.deepEqual(rb.allowed, ['src/b.ts']);
  await until(s, 'b', 'finished');
  await until(s, 'c', 'finished');
}));

test("a read-only task runs in the main checkout and its edit is denied", withRepo(async (r) => {
  r.writePlan({ tasks: [{ id: 'review', readOnly: true, sim: { edits: [{ path: 'README.md', content: 'changed\n' }] } }] });
  const s = r.scheduler();
  const started = await s.start('review');
  assert.equal(started.task.worktree, undefined);
  assert.equal(started.task.branch, undefined);
  const res = await r.result('review');
  assert.equal(res.cwd, r.repo.root);
  assert.equal(res.env.LOCKSTEP_SESSION, 'claude:lockstep-review');
  assert.deepEqual(res.allowed, []);
  assert.equal(res.denied.length, 1);
  assert.match(res.denied[0].reason, /read-only/);
  assert.equal(fs.readFileSync(path.join(r.repo.root, 'README.md'), 'utf8'), '# sample\n');
  // Nothing to merge: finished means landed.
  await until(s, 'review', 'landed');
  assert.equal(r.repo.git('status', '--porcelain'), '', 'the main checkout stays clean (hook settings are excluded)');
}));

test('phase barriers and dependencies hold until the earlier work has landed', withRepo(async (r) => {
  r.writePlan({
    tasks: [
      { id: 'p1', scope: ['src/a.ts'], sim: { edits: [{ path: 'src/a.ts', content: 'one\n' }], commit: 'p1' } },
      { id: 'p2', phase: 2, scope: ['docs/**'], sim: { edits: [{ path: 'docs/p2.md', content: 'two\n' }], commit: 'p2' } },
      { id: 'dep', scope: ['lib/**'], dependsOn: ['p1'], sim: { edits: [{ path: 'lib/d.ts', content: 'd\n' }], commit: 'dep' } },
    ],
  });
  const s = r.scheduler();
  let p2 = await statusOf(s, 'p2');
  assert.equal(p2.status, 'queued');
  assert.deepEqual(p2.reasons, ['phase 2 opens when phase 1 has landed (p1 is queued, dep is queued)']);
  assert.deepEqual((await statusOf(s, 'dep')).reasons, ["depends on 'p1' (queued)"]);
  await assert.rejects(s.start('p2'), (e: Error) => /cannot start 'p2': phase 2 opens when phase 1 has landed/.test(e.message));
  await assert.rejects(s.start('dep'), /depends on 'p1'/);

  await s.start('p1');
  await until(s, 'p1', 'finished');
  p2 = await statusOf(s, 'p2');
  assert.match(p2.reasons[0], /p1 is finished/, 'finished is not enough: the phase opens on landing');
  const landed = await s.land(['p1']);
  assert.equal(landed.ok, true, landed.message);
  assert.equal((await statusOf(s, 'dep')).status, 'ready');
  await s.start('dep');
  await until(s, 'dep', 'finished');
  assert.equal((await s.land(['dep'])).ok, true);
  assert.equal((await statusOf(s, 'p2')).status, 'ready');
  await s.start('p2');
  const res = await r.result('p2');
  // p2 branched from the target after p1 and dep landed.
  assert.equal(fs.readFileSync(path.join(res.cwd, 'src', 'a.ts'), 'utf8'), 'one\n');
  assert.equal(fs.readFileSync(path.join(res.cwd, 'lib', 'd.ts'), 'utf8'), 'd\n');
  await until(s, 'p2', 'finished');
}));

test('the concurrency cap holds', withRepo(async (r) => {
  r.writePlan({
    maxParallel: 2,
    autoRun: true,
    tasks: ['x', 'y', 'z'].map((id) => ({ id, scope: [`${id}/**`], sim: { waitFor: r.go(id), edits: [{ path: `${id}/f.txt`, content: `${id}\n` }], commit: id } })),
  });
  const s = r.scheduler();
  const first = await s.tick();
  assert.deepEqual(first.started.map((t) => t.task.id), ['x', 'y']);
  const z = await statusOf(s, 'z');
  assert.deepEqual(z.reasons, ['2 of 2 slots in use']);
  assert.equal((await s.list()).running, 2);
  await assert.rejects(s.start('z'), /2 of 2 slots in use/);
  assert.deepEqual((await s.tick()).started, [], 'a tick with no free slot starts nothing');
  r.release('x');
  await until(s, 'x', 'finished');
  const second = await s.tick();
  assert.deepEqual(second.started.map((t) => t.task.id), ['z']);
  assert.equal((await s.list()).running, 2);
  r.release('y');
  r.release('z');
  await until(s, 'y', 'finished');
  await until(s, 'z', 'finished');
}));

test("a reserved scope denies another session's edit; the task's own session may edit; stop keeps the work", withRepo(async (r) => {
  r.writePlan({ tasks: [{ id: 'api', scope: ['src/**'], sim: { waitFor: r.go('api'), edits: [{ path: 'src/a.ts', content: 'api\n' }], commit: 'api work' } }] });
  const s = r.scheduler();
  const started = await s.start('api');
  assert.ok(started.pid);
  const state = s.store.read();
  assert.deepEqual(state.reservations.api?.globs, ['src/**']);
  assert.equal(state.sessions['claude:lockstep-api']?.source, 'scheduler');
  assert.equal(state.sessions['claude:lockstep-api']?.process?.pid, started.pid);

  const outsider = foreignEdit(r.repo.root, 'src/a.ts');
  assert.equal(outsider.denied, true);
  assert.match(outsider.reason, /api/);
  assert.equal(foreignEdit(r.repo.root, 'README.md').denied, false, 'outside the scope, others may edit');

  r.release('api');
  const res = await r.result('api');
  assert.deepEqual(res.allowed, ['src/a.ts']);
  assert.equal(res.env.LOCKSTEP_AGENT_PID, String(started.pid));
  await until(s, 'api', 'finished');
  assert.equal(s.store.read().reservations.api, undefined, 'finishing releases the reservation');
  assert.equal(s.store.read().sessions['claude:lockstep-api']?.endedAt !== undefined, true);
  // the finished task's own lease is gone too
  assert.equal(foreignEdit(r.repo.root, 'src/a.ts').denied, false);
}));

test('stop sends the task back to queued, keeps branch and worktree, and a new start continues there', withRepo(async (r) => {
  r.writePlan({ tasks: [{ id: 'long', scope: ['src/**'], sim: { waitFor: r.go('long'), edits: [{ path: 'src/b.ts', content: 'b\n' }], commit: 'long' } }] });
  const s = r.scheduler();
  const first = await s.start('long');
  const wt = first.task.worktree!;
  fs.writeFileSync(path.join(wt, 'src', 'wip.txt'), 'work in progress\n');
  const stopped = await s.stop('long');
  assert.equal(stopped.task.status, 'ready');
  assert.match(stopped.notes.join('\n'), /kept branch lockstep\/long and worktree/);
  assert.equal(fs.readFileSync(path.join(wt, 'src', 'wip.txt'), 'utf8'), 'work in progress\n');
  assert.equal(s.store.read().reservations.long, undefined);
  await assert.rejects(s.stop('long'), /not running/);

  const again = await s.start('long');
  assert.match(again.notes.join('\n'), /reused the existing worktree/);
  r.release('long');
  const res = await r.result('long');
  assert.equal(res.cwd, wt);
  await until(s, 'long', 'finished');
}));
