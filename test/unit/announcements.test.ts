import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sessionAnnouncements, taskAnnouncements, type AnnouncedTask } from '../../src/core/announcements';

const t = (id: string, status: string, extra: Partial<AnnouncedTask> = {}): AnnouncedTask => ({ id, phase: 1, readOnly: false, status, startable: false, reasons: [], ...extra });

test('the first view announces nothing', () => {
  assert.deepEqual(taskAnnouncements(undefined, [t('a', 'running')]), []);
});

test('a started writer names its worktree; a read-only task says it has none', () => {
  const out = taskAnnouncements([t('a', 'queued'), t('r', 'queued', { readOnly: true })], [t('a', 'running', { worktree: '/w/a' }), t('r', 'running', { readOnly: true })]);
  assert.deepEqual(out.map((a) => a.text), ['Task a started in its own worktree (/w/a).', 'Task r started (read-only: no worktree, every edit denied).']);
});

test('tasks landing in one step are one landing; an undo is not a finish', () => {
  const out = taskAnnouncements([t('a', 'finished'), t('b', 'finished'), t('c', 'landed')], [t('a', 'landed'), t('b', 'landed'), t('c', 'finished')], 'main');
  assert.deepEqual(out.map((a) => [a.kind, a.text]), [
    ['undone', 'The landing of c was undone: main is back, c is finished again.'],
    ['landed', 'Tasks a, b landed on main together.'],
  ]);
});

test('a failure carries its reason as a warning', () => {
  const [a] = taskAnnouncements([t('a', 'running')], [t('a', 'failed', { reasons: ['the agent exited with status 1'] })]);
  assert.equal(a?.severity, 'warning');
  assert.equal(a?.text, 'Task a failed: the agent exited with status 1.');
});

test('a later phase opens once, when its first task becomes startable', () => {
  const before = [t('a', 'finished'), t('b', 'queued', { phase: 2, reasons: ['phase 1 has not landed'] })];
  const after = [t('a', 'landed'), t('b', 'ready', { phase: 2, startable: true })];
  const out = taskAnnouncements(before, after);
  assert.deepEqual(out.map((a) => a.text), ['Task a landed on the target.', 'Phase 2 is open: b can start.']);
  assert.deepEqual(taskAnnouncements(after, after), []);
});

test('a ready task that must now wait for an overlapping running task says so once; other waits are not announced', () => {
  const ready = [t('api', 'ready', { startable: true }), t('cart', 'ready', { startable: true }), t('docs', 'queued', { phase: 2, reasons: ['phase 2 opens when phase 1 has landed (api is queued)'] })];
  const overlap = "waits for 'api': its src/api/** overlaps src/api/orders.ts (1 file, e.g. src/api/orders.ts)";
  const running = [
    t('api', 'running'),
    t('cart', 'queued', { reasons: [overlap, '3 of 3 slots in use'] }),
    t('docs', 'queued', { phase: 2, reasons: ['phase 2 opens when phase 1 has landed (api is running)', "waits for 'api': both write src/api/**"] }),
  ];
  const out = taskAnnouncements(ready, running);
  assert.deepEqual(out.map((a) => [a.kind, a.text]), [
    ['started', 'Task api started in its own worktree.'],
    ['waiting', `Task cart ${overlap}.`],
  ]);
  assert.deepEqual(taskAnnouncements(running, running), [], 'announced once');
  const full = [t('api', 'running'), t('cart', 'queued', { reasons: ['3 of 3 slots in use'] })];
  assert.deepEqual(taskAnnouncements(ready.slice(0, 2), full).map((a) => a.kind), ['started'], 'a full cap is no overlap');
});

test('an agent that died holding locks is announced with the freed files; a clean end is not', () => {
  const prev = { sessions: [{ id: 'claude:carol', live: true }, { id: 'codex:x', live: true }], leases: [{ key: 'src/a.ts', session: 'claude:carol' }, { key: 'src/b.ts', session: 'codex:x' }] };
  prev.sessions.push({ id: 'codex:lockstep-db', live: true });
  prev.leases.push({ key: 'src/db.ts', session: 'codex:lockstep-db' });
  const next = {
    sessions: [
      { id: 'claude:carol', live: false, endReason: "holder's agent process 42 ended" },
      { id: 'codex:x', live: false, endReason: 'SessionEnd: exit' },
      { id: 'codex:lockstep-db', live: false, endReason: "holder's agent process 43 ended", task: 'db' },
    ],
  };
  const out = sessionAnnouncements(prev, next);
  assert.deepEqual(out.map((a) => a.text), ["The agent of session claude:carol is gone (holder's agent process 42 ended); its locks on src/a.ts were freed at once."]);
});
