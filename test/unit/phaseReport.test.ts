import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { phaseBoundaries, phaseReportText } from '../../src/core/phaseReport';
import type { TaskSpec } from '../../src/core/plan';
import type { TaskRuntime } from '../../src/core/task';

function task(id: string, o: Partial<TaskSpec> = {}): TaskSpec {
  return { id, title: id, prompt: `do ${id}`, scope: [`${id}/**`], readOnly: false, phase: 1, dependsOn: [], ...o };
}

function landed(id: string, at: number, o: Partial<TaskRuntime> = {}): TaskRuntime {
  return { id, state: { status: 'landed' }, sessions: [], startedAt: at - 10, landedAt: at, landedCommit: `${id}c0ffee`.padEnd(40, '0'), landedBranch: `lockstep/${id}`, ...o };
}

const lead = { sessions: ['claude:lead'], phase: 1 };

describe('phase boundaries', () => {
  it('none while a task of the phase is not done, none for phases nobody led', () => {
    const plan = { tasks: [task('a'), task('b'), task('c', { phase: 2 })] };
    assert.deepEqual(phaseBoundaries(plan, { a: landed('a', 100, { lead }), b: { id: 'b', state: { status: 'finished' }, sessions: [] } }), []);
    assert.deepEqual(phaseBoundaries(plan, { a: landed('a', 100), b: landed('b', 110) }), [], 'no lead: no report');
  });

  it('a done phase names its leads, when it opened and the next phase; a later phase opens at the last landing before it', () => {
    const plan = { tasks: [task('a'), task('r', { readOnly: true }), task('c', { phase: 3 })] };
    const tasks: Record<string, TaskRuntime> = {
      a: landed('a', 100, { lead: { sessions: ['claude:lead', 'codex:co'], phase: 1 } }),
      r: { id: 'r', state: { status: 'finished' }, sessions: [], startedAt: 50, lead },
      c: landed('c', 300, { lead: { sessions: ['claude:lead'], phase: 3 } }),
    };
    const [one, three] = phaseBoundaries(plan, tasks);
    assert.deepEqual([one!.phase, one!.leads, one!.openedAt, one!.next], [1, ['claude:lead', 'codex:co'], 50, { phase: 3, tasks: ['c'] }]);
    assert.deepEqual([three!.phase, three!.openedAt, three!.next], [3, 100, undefined]);
    assert.notEqual(one!.key, phaseBoundaries(plan, { ...tasks, a: landed('a', 400, { landedCommit: 'f'.repeat(40), lead }) })[0]!.key, 'landed again: a new report');
    assert.match(phaseReportText(three!, tasks, [], 'main'), /^Lockstep: phase 3 is done \(every task landed on main\); that was the last phase of the plan\.\nLanded:\n- c: landed as cc0ffee00000 from lockstep\/c\nNo decisions were logged during phase 3\.$/);
    assert.match(phaseReportText(one!, tasks, [], 'main'), /- r: done \(read-only: nothing to merge\)/);
  });

  it('a task the lead added to the phase, failed and taken out of the plan, is reported with its reason', () => {
    const plan = { tasks: [task('a')] };
    const tasks: Record<string, TaskRuntime> = { a: landed('a', 100, { lead }), gone: { id: 'gone', state: { status: 'failed', reason: 'abandoned' }, sessions: [], lead } };
    const [b] = phaseBoundaries(plan, tasks);
    assert.deepEqual(b!.dropped, ['gone']);
    assert.match(phaseReportText(b!, tasks, [], 'main'), /Failed or abandoned \(no longer in the plan\):\n- gone: abandoned/);
  });

  it('caps the decisions and the whole report to one message', () => {
    const plan = { tasks: Array.from({ length: 40 }, (_, i) => task(`t${i}`)) };
    const tasks = Object.fromEntries(plan.tasks.map((t) => [t.id, landed(t.id, 100, { lead })]));
    const notes = Array.from({ length: 50 }, (_, i) => ({ n: i + 1, at: 100, by: 'claude:x', text: 'y'.repeat(3000) }));
    const text = phaseReportText(phaseBoundaries(plan, tasks)[0]!, tasks, notes, 'main');
    assert.ok(Buffer.byteLength(text) <= 4000, `${Buffer.byteLength(text)} bytes`);
    assert.match(text, /… 25 more: lockstep task list/);
    assert.match(text, /… 49 more: lockstep log --since 1$/);
  });
});
