import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TASK_STATUSES, TRANSITIONS, TaskRuntime, TaskTransitionError, canTransition, describeState, transition, type TaskState } from '../../src/core/task';

const S = (status: string, extra: Record<string, unknown> = {}) => ({ status, ...extra }) as TaskState;

describe('task status machine', () => {
  it('walks the happy path of a write task', () => {
    let s: TaskState = S('queued');
    for (const next of ['ready', 'running', 'finished', 'landing', 'landed'] as const) s = transition('api', s, S(next));
    assert.equal(s.status, 'landed');
  });

  it('lets a read-only task land straight from finished, but not a write task', () => {
    assert.equal(transition('survey', S('finished'), S('landed'), { readOnly: true }).status, 'landed');
    assert.throws(() => transition('api', S('finished'), S('landed')), /^TaskTransitionError: task 'api' cannot go from finished to landed directly; a write task lands through landing$/);
  });

  it('refuses illegal moves with the legal ones listed', () => {
    assert.throws(
      () => transition('api', S('landed'), S('running')),
      (e: unknown) => e instanceof TaskTransitionError && e.message === "task 'api' cannot go from landed to running; from landed it can go to finished",
    );
    assert.throws(() => transition('api', S('queued'), S('landed')), /cannot go from queued to landed/);
    assert.throws(() => transition('api', S('running'), S('running')), /task 'api' is already running/);
  });

  it('requires the detail of blocked, conflicted and failed', () => {
    assert.deepEqual(transition('a', S('running'), S('failed', { reason: 'agent exited with 1' })), { status: 'failed', reason: 'agent exited with 1' });
    assert.deepEqual(transition('a', S('landing'), S('conflicted', { paths: ['src/x.ts'] })), { status: 'conflicted', paths: ['src/x.ts'] });
    assert.throws(() => transition('a', S('running'), S('failed')), /invalid new state: reason: Required/);
    assert.throws(() => transition('a', S('landing'), S('conflicted', { paths: [] })), /invalid new state: paths: /);
    assert.throws(() => transition('a', S('running'), S('sleeping')), /invalid new state/);
  });

  it('has a row for every status, naming only known statuses, and canTransition agrees with it', () => {
    assert.deepEqual(Object.keys(TRANSITIONS).sort(), [...TASK_STATUSES].sort());
    for (const from of TASK_STATUSES) {
      for (const to of TASK_STATUSES) assert.equal(canTransition(from, to), TRANSITIONS[from].includes(to));
      for (const to of TRANSITIONS[from]) assert.ok(TASK_STATUSES.includes(to));
    }
    assert.equal(canTransition('landed', 'finished'), true, 'a landing can be undone');
    assert.equal(canTransition('failed', 'queued'), true, 'a failed task can be retried');
  });

  it('every status can eventually reach landed', () => {
    for (const from of TASK_STATUSES) {
      const seen = new Set([from]);
      const queue = [from];
      while (queue.length) for (const n of TRANSITIONS[queue.shift()!]) if (!seen.has(n)) (seen.add(n), queue.push(n));
      assert.ok(seen.has('landed'), from);
    }
  });

  it('describes states in words and validates runtime records', () => {
    assert.equal(describeState(S('blocked', { reason: 'needs review' })), 'blocked (needs review)');
    assert.equal(describeState(S('conflicted', { paths: ['a', 'b', 'c', 'd'] })), 'conflicted (a, b, c, +1 more)');
    assert.equal(describeState(S('running')), 'running');
    assert.deepEqual(TaskRuntime.parse({ id: 'api', state: { status: 'queued' } }).sessions, []);
  });
});
