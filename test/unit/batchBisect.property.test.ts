// The landing queue's batch settlement against a model: random batches with dependencies, pairwise
// merge conflicts, tasks whose check fails and pairs of tasks that fail only together. Whatever the
// parallelism, the batch lands exactly what landing one task at a time (in order, each verified on
// top of what landed before, a task skipped when a dependency did not land) would land, names every
// culprit with the reason, and never verifies a tree twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { settleBatch, splitPoints, queueOrder, type BatchEnv, type BatchTask } from '../../src/core/batchBisect';

interface World {
  tasks: BatchTask[];
  conflicts: [string, string][];
  bad: string[];
  badPairs: [string, string][];
}

type Cand = readonly string[]; // the tasks merged, in order
type Run = { ok: boolean; output: string };

function verdict(w: World, set: Cand): Run {
  const has = new Set(set);
  const alone = w.bad.filter((b) => has.has(b));
  const pairs = w.badPairs.filter(([a, b]) => has.has(a) && has.has(b));
  const ok = alone.length === 0 && pairs.length === 0;
  return { ok, output: ok ? 'pass' : `fails: ${[...alone, ...pairs.map((p) => p.join('+'))].join(' ')}` };
}

function conflictsWith(w: World, earlier: Cand, t: string): string[] {
  return w.conflicts.filter(([a, b]) => (a === t && earlier.includes(b)) || (b === t && earlier.includes(a))).map(([a, b]) => `${[a, b].sort().join('-')}.txt`);
}

function modelEnv(w: World, counter: { runs: number; keys: string[] }): BatchEnv<Cand, Run> {
  return {
    base: [],
    async build(tasks) {
      const chain: Cand[] = [];
      let cur: string[] = [];
      for (const [i, t] of tasks.entries()) {
        const paths = conflictsWith(w, cur, t.id);
        if (paths.length > 0) return { chain, conflict: { index: i, paths } };
        cur = [...cur, t.id];
        chain.push(cur);
      }
      return { chain };
    },
    key: (c) => [...c].sort().join(','), // the tree: what is merged, whatever the order
    async verify(c) {
      counter.runs++;
      counter.keys.push([...c].sort().join(','));
      await new Promise((r) => setImmediate(r));
      return verdict(w, c);
    },
  };
}

/** One at a time: each task verified on top of what landed before it. */
function reference(w: World) {
  const landed: string[] = [];
  const culprits: { task: string; kind: 'conflict' | 'check' }[] = [];
  const held: string[] = [];
  for (const t of w.tasks) {
    if ((t.dependsOn ?? []).some((d) => !landed.includes(d))) held.push(t.id);
    else if (conflictsWith(w, landed, t.id).length > 0) culprits.push({ task: t.id, kind: 'conflict' });
    else if (!verdict(w, [...landed, t.id]).ok) culprits.push({ task: t.id, kind: 'check' });
    else landed.push(t.id);
  }
  return { landed, culprits, held };
}

const worldArb: fc.Arbitrary<World> = fc.integer({ min: 1, max: 12 }).chain((n) => {
  const ids = Array.from({ length: n }, (_, i) => `t${i}`);
  // Two distinct tasks, built rather than filtered: with one task a filter would never pass (and
  // fast-check would spin forever generating).
  const pair: fc.Arbitrary<[string, string]> =
    n < 2 ? fc.constant(null as never) : fc.tuple(fc.nat(n - 1), fc.nat(n - 2)).map(([a, k]) => [ids[a], ids[(a + 1 + k) % n]] as [string, string]);
  const pairs = (max: number) => (n < 2 ? fc.constant([] as [string, string][]) : fc.array(pair, { maxLength: max }));
  return fc.record({
    deps: fc.array(fc.array(fc.nat(n - 1), { maxLength: 2 }), { minLength: n, maxLength: n }),
    conflicts: pairs(3),
    bad: fc.subarray(ids, { maxLength: Math.min(3, n) }),
    badPairs: pairs(2),
  }).map(({ deps, conflicts, bad, badPairs }) => ({
    // a task depends only on earlier ones: the batch is in dependency order
    tasks: ids.map((id, i) => ({ id, dependsOn: [...new Set(deps[i].filter((d) => d < i).map((d) => ids[d]))] })),
    conflicts,
    bad,
    badPairs,
  }));
});

test('a batch lands exactly what one-at-a-time landing would, naming each culprit', async () => {
  await fc.assert(
    fc.asyncProperty(worldArb, fc.integer({ min: 1, max: 4 }), async (w, parallel) => {
      const counter = { runs: 0, keys: [] as string[] };
      const out = await settleBatch(w.tasks, modelEnv(w, counter), { parallel });
      const want = reference(w);
      assert.deepEqual(out.land.map((t) => t.id), want.landed, 'lands the passing tasks whose dependencies landed, in order');
      assert.deepEqual(out.candidate, want.landed.length > 0 ? want.landed : []);
      assert.deepEqual(
        [...out.culprits].map((c) => ({ task: c.task, kind: c.kind })).sort((a, b) => a.task.localeCompare(b.task)),
        [...want.culprits].sort((a, b) => a.task.localeCompare(b.task)),
        'each culprit named with its kind',
      );
      assert.deepEqual(out.heldBack.map((h) => h.task).sort(), [...want.held].sort(), 'dependants of culprits wait');
      for (const h of out.heldBack) assert.ok(out.culprits.some((c) => c.task === h.waitsFor), `${h.task} waits for a culprit`);
      for (const c of out.culprits) {
        if (c.kind === 'check') assert.match(c.run.output, /^fails: /);
        else assert.ok(c.paths.length > 0);
      }
      if (out.land.length > 0 || w.tasks.length > 0) {
        const final = out.candidate.length > 0 ? verdict(w, out.candidate) : { ok: true };
        assert.ok(final.ok, 'what lands passes its check');
      }
      assert.equal(counter.runs, out.runs);
      assert.equal(new Set(counter.keys).size, counter.keys.length, 'no tree is verified twice');
    }),
    { numRuns: 400 },
  );
});

test('16 tasks, one culprit: at most 1 + 2·log2(16) verification runs, wherever the culprit is', async () => {
  for (let at = 0; at < 16; at++) {
    const ids = Array.from({ length: 16 }, (_, i) => `t${i}`);
    const w: World = { tasks: ids.map((id) => ({ id })), conflicts: [], bad: [ids[at]], badPairs: [] };
    const counter = { runs: 0, keys: [] as string[] };
    const out = await settleBatch(w.tasks, modelEnv(w, counter));
    assert.deepEqual(out.culprits.map((c) => c.task), [ids[at]]);
    assert.equal(out.land.length, 15);
    assert.ok(out.runs <= 9, `culprit at ${at}: ${out.runs} runs`);
  }
});

test('a target that fails its check blames no task and lands nothing', async () => {
  const env: BatchEnv<Cand, Run> = {
    base: [],
    build: async (tasks) => ({ chain: tasks.map((_, i) => tasks.slice(0, i + 1).map((t) => t.id)) }),
    key: (c) => c.join(','),
    verify: async () => ({ ok: false, output: 'broken on main' }),
  };
  const out = await settleBatch([{ id: 'a' }, { id: 'b' }], env);
  assert.deepEqual(out.land, []);
  assert.deepEqual(out.culprits, []);
  assert.equal(out.baseFailed?.output, 'broken on main');
});

test('the cache is shared: a tree verified in an earlier batch is not verified again', async () => {
  const w: World = { tasks: [{ id: 'a' }, { id: 'b' }], conflicts: [], bad: [], badPairs: [] };
  const counter = { runs: 0, keys: [] as string[] };
  const cache = new Map<string, Run>();
  await settleBatch(w.tasks, modelEnv(w, counter), { cache });
  const again = await settleBatch(w.tasks, modelEnv(w, counter), { cache });
  assert.equal(again.runs, 0);
  assert.equal(counter.runs, 1);
});

test('split points and queue order', () => {
  assert.deepEqual(splitPoints(0, 16, 1), [8]);
  assert.deepEqual(splitPoints(0, 16, 3), [4, 8, 12]);
  assert.deepEqual(splitPoints(3, 5, 4), [4]);
  assert.deepEqual(splitPoints(3, 4, 2), []);
  const order = queueOrder([
    { id: 'c', finishedAt: 1, dependsOn: ['b'] },
    { id: 'a', finishedAt: 3 },
    { id: 'b', finishedAt: 2 },
    { id: 'd', finishedAt: 0, dependsOn: ['landed-already'] },
  ]);
  assert.deepEqual(order.map((t) => t.id), ['d', 'b', 'c', 'a']);
});
