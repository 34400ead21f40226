import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScopeIndex } from '../../src/core/globOverlap';
import { decide, gateRuntime, nextToStart, type GateRuntime } from '../../src/core/gate';
import type { TaskSpec } from '../../src/core/plan';
import type { TaskStatus } from '../../src/core/task';

function task(id: string, o: Partial<TaskSpec> = {}): TaskSpec {
  return { id, title: id, prompt: `do ${id}`, scope: o.readOnly ? [] : [`${id}/**`], readOnly: false, phase: 1, dependsOn: [], ...o };
}

const index = new ScopeIndex(['src/api/a.ts', 'src/api/b.ts', 'src/web/app.ts', 'docs/x.md', 'README.md']);

function rt(status: Record<string, TaskStatus>): GateRuntime {
  return gateRuntime(status);
}

function why(plan: { tasks: TaskSpec[]; maxParallel: number }, status: Record<string, TaskStatus>, id: string, maxParallel?: number) {
  const d = decide(plan, rt(status), index, maxParallel).get(id);
  assert.ok(d, `no decision for ${id}`);
  return d;
}

describe('gate: each rule on its own', () => {
  it('starts a lone write task', () => {
    const plan = { tasks: [task('api', { scope: ['src/api/**'] })], maxParallel: 3 };
    assert.deepEqual(why(plan, {}, 'api'), { startable: true, reasons: [] });
    assert.deepEqual(why(plan, { api: 'ready' }, 'api'), { startable: true, reasons: [] });
  });

  it('a write task waits for a running write task with the same glob', () => {
    const plan = { tasks: [task('api', { scope: ['src/api/**'] }), task('api2', { scope: ['src/api/**', 'docs/**'] })], maxParallel: 3 };
    assert.deepEqual(why(plan, { api: 'running' }, 'api2'), { startable: false, reasons: ["waits for 'api': both write src/api/**"] });
  });

  it('a write task waits for a running write task whose glob overlaps on tracked files', () => {
    const plan = { tasks: [task('src', { scope: ['src/**'] }), task('api', { scope: ['src/api/**'] })], maxParallel: 3 };
    assert.deepEqual(why(plan, { src: 'running' }, 'api'), {
      startable: false,
      reasons: ["waits for 'src': its src/** overlaps src/api/** (2 files, e.g. src/api/a.ts)"],
    });
  });

  it('a write task waits for a running write task whose glob may overlap on files not yet tracked', () => {
    const plan = { tasks: [task('new', { scope: ['src/api/new.ts'] }), task('api', { scope: ['src/api/**'] })], maxParallel: 3 };
    assert.deepEqual(why(plan, { new: 'running' }, 'api'), { startable: false, reasons: ["waits for 'new': its src/api/new.ts may overlap src/api/**"] });
  });

  it('disjoint write tasks run side by side', () => {
    const plan = { tasks: [task('api', { scope: ['src/api/**'] }), task('web', { scope: ['src/web/**'] })], maxParallel: 3 };
    assert.deepEqual(why(plan, { api: 'running' }, 'web'), { startable: true, reasons: [] });
  });

  it('only running tasks block by overlap (finished, landing, queued do not)', () => {
    const plan = { tasks: [task('a', { scope: ['src/**'] }), task('b', { scope: ['src/**'] })], maxParallel: 3 };
    for (const s of ['queued', 'ready', 'finished', 'landing', 'failed', 'blocked', 'conflicted'] as const) {
      assert.equal(why(plan, { a: s }, 'b').startable, true, s);
    }
  });

  it('read-only tasks skip the overlap rule in both directions', () => {
    const plan = {
      tasks: [task('survey', { readOnly: true, scope: ['src/**'] }), task('api', { scope: ['src/**'] }), task('audit', { readOnly: true })],
      maxParallel: 3,
    };
    assert.equal(why(plan, { survey: 'running' }, 'api').startable, true);
    assert.equal(why(plan, { api: 'running' }, 'audit').startable, true);
    assert.equal(why(plan, { api: 'running' }, 'survey').startable, true);
  });

  it('the cap counts read-only and write tasks and says how many slots are in use', () => {
    const plan = { tasks: [task('r', { readOnly: true }), task('a'), task('b'), task('c')], maxParallel: 2 };
    assert.deepEqual(why(plan, { r: 'running', a: 'running' }, 'b'), { startable: false, reasons: ['2 of 2 slots in use'] });
    assert.equal(why(plan, { r: 'running' }, 'b').startable, true);
    assert.deepEqual(why(plan, { r: 'running' }, 'b', 1), { startable: false, reasons: ['1 of 1 slots in use'] });
    const ro = { tasks: [task('r', { readOnly: true }), task('q', { readOnly: true })], maxParallel: 1 };
    assert.deepEqual(why(ro, { r: 'running' }, 'q'), { startable: false, reasons: ['1 of 1 slots in use'] });
  });

  it('a dependency must be done (landed; finished for a read-only one), and the reason says its status', () => {
    const plan = { tasks: [task('survey', { readOnly: true }), task('api', { dependsOn: ['survey'] })], maxParallel: 3 };
    for (const s of ['queued', 'running', 'failed'] as const) {
      assert.deepEqual(why(plan, { survey: s }, 'api'), { startable: false, reasons: [`depends on 'survey' (${s})`] });
    }
    assert.equal(why(plan, { survey: 'landed' }, 'api').startable, true);
    assert.equal(why(plan, { survey: 'finished' }, 'api').startable, true);
    const write = { tasks: [task('base'), task('api', { dependsOn: ['base'] })], maxParallel: 3 };
    for (const s of ['finished', 'landing'] as const) {
      assert.deepEqual(why(write, { base: s }, 'api'), { startable: false, reasons: [`depends on 'base' (${s})`] });
    }
  });

  it('a later phase opens only when every task of earlier phases has landed', () => {
    const plan = {
      tasks: [task('survey', { readOnly: true }), task('api', { phase: 2 }), task('web', { phase: 3 }), task('docs', { phase: 3 })],
      maxParallel: 3,
    };
    assert.deepEqual(why(plan, { survey: 'running' }, 'api'), { startable: false, reasons: ['phase 2 opens when phase 1 has landed (survey is running)'] });
    assert.deepEqual(why(plan, { survey: 'running' }, 'web'), {
      startable: false,
      reasons: ['phase 3 opens when phases 1, 2 have landed (survey is running, api is queued)'],
    });
    assert.deepEqual(why(plan, { survey: 'landed', api: 'finished' }, 'web').reasons, ['phase 3 opens when phase 2 has landed (api is finished)']);
    assert.equal(why(plan, { survey: 'landed', api: 'landed' }, 'web').startable, true);
    assert.equal(why(plan, { survey: 'landed', api: 'landed', docs: 'running' }, 'web').startable, true, 'same phase does not block');
  });

  it('read-only tasks obey phases and dependencies too', () => {
    const plan = { tasks: [task('a'), task('review', { readOnly: true, phase: 2, dependsOn: ['a'] })], maxParallel: 3 };
    assert.deepEqual(why(plan, { a: 'finished' }, 'review').reasons, ['phase 2 opens when phase 1 has landed (a is finished)', "depends on 'a' (finished)"]);
  });

  it('lists every reason a task waits, most fundamental first', () => {
    const plan = {
      tasks: [task('x', { scope: ['src/**'] }), task('y', { scope: ['docs/**'] }), task('z', { phase: 2, scope: ['src/web/**'], dependsOn: ['y'] })],
      maxParallel: 2,
    };
    assert.deepEqual(why(plan, { x: 'running', y: 'running' }, 'z').reasons, [
      'phase 2 opens when phase 1 has landed (x is running, y is running)',
      "depends on 'y' (running)",
      "waits for 'x': its src/** overlaps src/web/** (1 file, e.g. src/web/app.ts)",
      '2 of 2 slots in use',
    ]);
  });

  it('tasks that are not waiting are not startable and say their status', () => {
    const plan = { tasks: [task('a')], maxParallel: 3 };
    for (const s of ['running', 'finished', 'landing', 'landed', 'failed', 'blocked', 'conflicted'] as const) {
      assert.deepEqual(why(plan, { a: s }, 'a'), { startable: false, reasons: [`is ${s}`] });
    }
  });

  it('a running task does not block itself, and the decision covers every task', () => {
    const plan = { tasks: [task('a', { scope: ['src/**'] }), task('b', { scope: ['docs/**'] })], maxParallel: 3 };
    const d = decide(plan, rt({ a: 'running' }), index);
    assert.deepEqual([...d.keys()], ['a', 'b']);
    assert.equal(d.get('b')!.startable, true);
  });

  it('lists at most three blockers and says how many more', () => {
    const plan = { tasks: [task('a'), task('b'), task('c'), task('d'), task('e', { phase: 2 })], maxParallel: 9 };
    assert.deepEqual(why(plan, {}, 'e').reasons, ['phase 2 opens when phase 1 has landed (a is queued, b is queued, c is queued and 1 more)']);
  });
});

describe('nextToStart', () => {
  it('picks startable tasks in plan order, respecting the cap', () => {
    const plan = { tasks: [task('a'), task('b'), task('c'), task('d')], maxParallel: 2 };
    assert.deepEqual(nextToStart(plan, rt({}), index), ['a', 'b']);
    assert.deepEqual(nextToStart(plan, rt({ a: 'running' }), index), ['b']);
    assert.deepEqual(nextToStart(plan, rt({ a: 'running', b: 'running' }), index), []);
    assert.deepEqual(nextToStart(plan, rt({}), index, 3), ['a', 'b', 'c']);
  });

  it('does not pick two tasks that overlap each other', () => {
    const plan = {
      tasks: [task('a', { scope: ['src/**'] }), task('b', { scope: ['src/api/**'] }), task('c', { scope: ['docs/**'] }), task('r', { readOnly: true })],
      maxParallel: 4,
    };
    assert.deepEqual(nextToStart(plan, rt({}), index), ['a', 'c', 'r']);
  });

  it('skips tasks that are not waiting and those behind a phase', () => {
    const plan = { tasks: [task('a'), task('b'), task('c', { phase: 2 })], maxParallel: 4 };
    assert.deepEqual(nextToStart(plan, rt({ a: 'finished' }), index), ['b']);
    assert.deepEqual(nextToStart(plan, rt({ a: 'landed', b: 'landed' }), index), ['c']);
  });
});

describe('gate: read-only tasks have nothing to land', () => {
  const plan = {
    tasks: [task('survey', { readOnly: true, scope: [] }), task('api', { scope: ['src/api/**'] }), task('web', { phase: 2, scope: ['src/web/**'], dependsOn: ['survey'] })],
    maxParallel: 3,
  };
  it('a finished read-only task opens the next phase and satisfies its dependants', () => {
    assert.deepEqual(why(plan, { survey: 'finished', api: 'landed' }, 'web'), { startable: true, reasons: [] });
  });
  it('a running read-only task still holds the phase and its dependants', () => {
    assert.deepEqual(why(plan, { survey: 'running', api: 'landed' }, 'web'), {
      startable: false,
      reasons: ['phase 2 opens when phase 1 has landed (survey is running)', "depends on 'survey' (running)"],
    });
  });
  it('a finished write task is not done until it lands', () => {
    assert.deepEqual(why(plan, { survey: 'finished', api: 'finished' }, 'web').reasons, ['phase 2 opens when phase 1 has landed (api is finished)']);
  });
});
