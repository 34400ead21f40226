// Random plans and random event sequences (start / finish / land / fail / retry): starting only tasks
// that `decide` marks startable, no two overlapping write tasks ever run together, the cap holds, and
// a started task always had its dependencies landed and its phase open.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import picomatch from 'picomatch';
import { ScopeIndex } from '../../src/core/globOverlap';
import { decide, gateRuntime, nextToStart } from '../../src/core/gate';
import { Plan, type TaskSpec } from '../../src/core/plan';
import type { TaskStatus } from '../../src/core/task';

const TRACKED = ['src/a/1.ts', 'src/a/2.ts', 'src/b/1.ts', 'src/b/x.md', 'docs/guide.md', 'docs/api.md', 'README.md', 'test/a.test.ts'];
const GLOBS = ['src/a/**', 'src/b/**', 'src/**', 'docs/**', 'src/a/new.ts', '**/*.md', 'test/**', 'README.md', 'lib/**', 'src/*/1.ts'];
const index = new ScopeIndex(TRACKED);

const taskArb = fc.record({
  readOnly: fc.boolean(),
  phase: fc.integer({ min: 1, max: 3 }),
  scope: fc.uniqueArray(fc.constantFrom(...GLOBS), { minLength: 1, maxLength: 3 }),
  deps: fc.array(fc.nat(), { maxLength: 2 }),
});

/** A valid plan: dependencies only on earlier tasks of the same or an earlier phase (so no cycles). */
const planArb = fc.record({ tasks: fc.array(taskArb, { minLength: 1, maxLength: 8 }), maxParallel: fc.integer({ min: 1, max: 4 }) }).map(({ tasks, maxParallel }) => {
  const specs: TaskSpec[] = [];
  tasks.forEach((t, i) => {
    const earlier = specs.filter((s) => s.phase <= t.phase);
    const dependsOn = [...new Set(earlier.length ? t.deps.map((d) => earlier[d % earlier.length].id) : [])];
    specs.push({ id: `t${i}`, title: `t${i}`, prompt: 'p', scope: t.readOnly ? [] : t.scope, readOnly: t.readOnly, phase: t.phase, dependsOn });
  });
  return Plan.parse({ maxParallel, tasks: specs });
});

type Event = { kind: 'start' | 'finish' | 'land' | 'fail' | 'retry' | 'auto'; pick: number };
const eventArb = fc.record({ kind: fc.constantFrom('start', 'start', 'finish', 'land', 'fail', 'retry', 'auto'), pick: fc.nat() }) as fc.Arbitrary<Event>;

/** File-level oracle independent of the index: picomatch over the tracked files. */
function shareTrackedFile(a: TaskSpec, b: TaskSpec): boolean {
  const ma = picomatch(a.scope as string[], { dot: true });
  const mb = picomatch(b.scope as string[], { dot: true });
  return TRACKED.some((f) => ma(f) && mb(f));
}

function checkInvariants(plan: Plan, status: Record<string, TaskStatus>): void {
  const running = plan.tasks.filter((t) => status[t.id] === 'running');
  assert.ok(running.length <= plan.maxParallel, `${running.length} running with cap ${plan.maxParallel}`);
  const writers = running.filter((t) => !t.readOnly);
  for (let i = 0; i < writers.length; i++) {
    for (let j = i + 1; j < writers.length; j++) {
      assert.ok(!index.overlaps(writers[i].scope, writers[j].scope), `${writers[i].id} and ${writers[j].id} overlap and both run`);
      assert.ok(!shareTrackedFile(writers[i], writers[j]), `${writers[i].id} and ${writers[j].id} share a tracked file and both run`);
    }
  }
}

function assertMayStart(plan: Plan, status: Record<string, TaskStatus>, id: string): void {
  const t = plan.tasks.find((x) => x.id === id)!;
  // Done: landed, or finished for a read-only task (it has nothing to land).
  const done = (o: { id: string; readOnly: boolean }) => status[o.id] === 'landed' || (o.readOnly && status[o.id] === 'finished');
  const byId = new Map(plan.tasks.map((x) => [x.id, x]));
  for (const d of t.dependsOn) assert.ok(done(byId.get(d)!), `${id} started before its dependency ${d} was done (${status[d]})`);
  for (const o of plan.tasks) if (o.phase < t.phase) assert.ok(done(o), `${id} (phase ${t.phase}) started before ${o.id} was done (${status[o.id]})`);
}

function run(plan: Plan, events: Event[]): void {
  const status: Record<string, TaskStatus> = Object.fromEntries(plan.tasks.map((t) => [t.id, 'queued' as TaskStatus]));
  const inState = (s: TaskStatus) => plan.tasks.filter((t) => status[t.id] === s).map((t) => t.id);
  for (const ev of events) {
    const rt = gateRuntime(status);
    const decisions = decide(plan, rt, index);
    switch (ev.kind) {
      case 'start': {
        const startable = plan.tasks.filter((t) => decisions.get(t.id)!.startable).map((t) => t.id);
        for (const t of plan.tasks) if (!['queued', 'ready'].includes(status[t.id])) assert.equal(decisions.get(t.id)!.startable, false);
        for (const t of plan.tasks) {
          const d = decisions.get(t.id)!;
          assert.equal(d.startable, d.reasons.length === 0, 'startable exactly when there is no reason to wait');
        }
        if (startable.length === 0) break;
        const id = startable[ev.pick % startable.length];
        assertMayStart(plan, status, id);
        status[id] = 'running';
        break;
      }
      case 'auto': {
        const picks = nextToStart(plan, rt, index);
        for (const id of picks) {
          assert.equal(decisions.get(id)!.startable, true, `auto-run picked ${id}, which decide does not allow`);
          assertMayStart(plan, status, id);
          status[id] = 'running';
        }
        break;
      }
      case 'finish': {
        const r = inState('running');
        if (r.length) status[r[ev.pick % r.length]] = 'finished';
        break;
      }
      case 'land': {
        const f = inState('finished');
        if (f.length) status[f[ev.pick % f.length]] = 'landed';
        break;
      }
      case 'fail': {
        const r = inState('running');
        if (r.length) status[r[ev.pick % r.length]] = 'failed';
        break;
      }
      case 'retry': {
        const f = inState('failed');
        if (f.length) status[f[ev.pick % f.length]] = 'queued';
        break;
      }
    }
    checkInvariants(plan, status);
    // No deadlock: with nothing running or awaiting landing or failed, some waiting task can start.
    const waiting = inState('queued');
    if (waiting.length > 0 && inState('running').length + inState('finished').length + inState('failed').length === 0) {
      const d = decide(plan, gateRuntime(status), index);
      assert.ok(
        waiting.some((id) => d.get(id)!.startable),
        `deadlock: ${waiting.map((id) => `${id}: ${d.get(id)!.reasons.join('; ')}`).join(' | ')}`,
      );
    }
  }
}

describe('gate properties', () => {
  it('never runs overlapping write tasks together, never exceeds the cap, never skips a dependency or phase', () => {
    fc.assert(
      fc.property(planArb, fc.array(eventArb, { minLength: 1, maxLength: 60 }), (plan, events) => run(plan, events)),
      { numRuns: 400 },
    );
  });

  it('every task eventually lands when tasks are finished and landed as they run (auto-run)', () => {
    fc.assert(
      fc.property(planArb, (plan) => {
        const status: Record<string, TaskStatus> = {};
        for (let step = 0; step < 4 * plan.tasks.length + 4; step++) {
          for (const id of nextToStart(plan, gateRuntime(status), index)) status[id] = 'running';
          checkInvariants(plan, status);
          for (const t of plan.tasks) if (status[t.id] === 'running') status[t.id] = 'landed';
        }
        assert.deepEqual(
          plan.tasks.filter((t) => status[t.id] !== 'landed').map((t) => t.id),
          [],
        );
      }),
      { numRuns: 300 },
    );
  });
});
