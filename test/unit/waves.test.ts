import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ScopeIndex } from '../../src/core/globOverlap';
import type { TaskSpec } from '../../src/core/plan';
import { parsePlan, PlanError } from '../../src/core/planFile';
import { applyWavesAsPhases, dependencyOrder, suggestWaves, type WaveTask } from '../../src/core/waves';

const index = new ScopeIndex(['src/api/a.ts', 'src/web/app.ts', 'src/web/app.css', 'docs/guide.md', 'README.md']);
const w = (id: string, scope: string[], dependsOn: string[] = [], readOnly = false): WaveTask => ({ id, scope, dependsOn, readOnly });

describe('suggested waves', () => {
  it('puts disjoint tasks together and overlapping ones apart', () => {
    const waves = suggestWaves([w('api', ['src/api/**']), w('web', ['src/web/**']), w('all', ['src/**']), w('docs', ['docs/**'])], index);
    assert.deepEqual(waves, [['api', 'web', 'docs'], ['all']]);
  });

  it('places a task after the waves of its dependencies', () => {
    const waves = suggestWaves([w('survey', [], [], true), w('api', ['src/api/**'], ['survey']), w('web', ['src/web/**'], ['api']), w('docs', ['docs/**'])], index);
    assert.deepEqual(waves, [['survey', 'docs'], ['api'], ['web']]);
  });

  it('ignores overlap for read-only tasks', () => {
    assert.deepEqual(suggestWaves([w('a', ['src/**']), w('r', ['src/**'], [], true), w('b', ['src/**'])], index), [['a', 'r'], ['b']]);
  });

  it('respects a per-wave limit and is deterministic', () => {
    const tasks = [w('a', ['a/**']), w('b', ['b/**']), w('c', ['c/**'])];
    assert.deepEqual(suggestWaves(tasks, index, { maxPerWave: 2 }), [['a', 'b'], ['c']]);
    assert.deepEqual(suggestWaves(tasks, index, { maxPerWave: 2 }), suggestWaves(tasks, index, { maxPerWave: 2 }));
  });

  it('refuses a dependency cycle', () => {
    assert.throws(() => dependencyOrder([w('a', ['a/**'], ['b']), w('b', ['b/**'], ['a'])]), /dependency cycle: a → b → a/);
  });

  it('gives a valid colouring that respects dependencies (property)', () => {
    const globs = ['src/api/**', 'src/web/**', 'src/**', 'docs/**', '**/*.md', 'src/web/*.css', 'lib/**', 'src/new.ts'];
    const arb = fc.array(fc.record({ scope: fc.uniqueArray(fc.constantFrom(...globs), { minLength: 1, maxLength: 3 }), readOnly: fc.boolean(), deps: fc.array(fc.nat(), { maxLength: 3 }) }), { minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(arb, fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }), (raw, maxPerWave) => {
        const tasks: WaveTask[] = raw.map((r, i) => w(`t${i}`, r.scope, i > 0 ? [...new Set(r.deps.map((d) => `t${d % i}`))] : [], r.readOnly));
        // Shuffle plan order so dependencies may come later in the list than their dependants.
        const shuffled = [...tasks].reverse();
        const waves = suggestWaves(shuffled, index, { maxPerWave });
        const waveOf = new Map<string, number>();
        waves.forEach((ws, k) => ws.forEach((id) => waveOf.set(id, k)));
        assert.deepEqual([...waveOf.keys()].sort(), tasks.map((t) => t.id).sort(), 'each task in exactly one wave');
        assert.equal(waves.flat().length, tasks.length);
        for (const ws of waves) {
          assert.ok(ws.length > 0, 'no empty wave');
          if (maxPerWave) assert.ok(ws.length <= maxPerWave);
          const writers = ws.map((id) => tasks.find((t) => t.id === id)!).filter((t) => !t.readOnly);
          for (let i = 0; i < writers.length; i++) for (let j = i + 1; j < writers.length; j++) assert.ok(!index.overlaps(writers[i].scope, writers[j].scope));
        }
        for (const t of tasks) for (const d of t.dependsOn) assert.ok(waveOf.get(d)! < waveOf.get(t.id)!, `${d} before ${t.id}`);
      }),
      { numRuns: 300 },
    );
  });
});

const PLAN = `# phases come from waves
maxParallel: 2
tasks:
  - id: api        # backend
    title: API
    scope: ["src/api/**"]
    prompt: p
  - id: web
    title: Web
    phase: 1
    scope: ["src/**"]
    prompt: p
  - id: docs
    title: Docs
    scope: ["docs/**"]
    dependsOn: [api]
    prompt: p
`;

describe('applyWavesAsPhases', () => {
  it('writes wave numbers as phases and keeps the rest of the file', () => {
    const plan = parsePlan(PLAN);
    const waves = suggestWaves(plan.tasks as TaskSpec[], index);
    assert.deepEqual(waves, [['api'], ['web', 'docs']]);
    const out = applyWavesAsPhases(PLAN, waves);
    assert.deepEqual(
      parsePlan(out).tasks.map((t) => [t.id, t.phase]),
      [
        ['api', 1],
        ['web', 2],
        ['docs', 2],
      ],
    );
    assert.ok(out.startsWith('# phases come from waves\nmaxParallel: 2\ntasks:\n  - id: api        # backend\n'));
    assert.ok(out.includes('    phase: 2\n    scope: ["src/**"]'));
  });

  it('refuses waves that miss a task, name an unknown one or repeat one, changing nothing', () => {
    assert.throws(() => applyWavesAsPhases(PLAN, [['api'], ['web']]), (e: unknown) => e instanceof PlanError && /waves: not in any wave: 'docs'/.test(e.message));
    assert.throws(() => applyWavesAsPhases(PLAN, [['api', 'ghost'], ['web', 'docs']]), /unknown task 'ghost'/);
    assert.throws(() => applyWavesAsPhases(PLAN, [['api'], ['web', 'api', 'docs']]), /task 'api' is in wave 1 and wave 2/);
  });

  it('refuses waves that would put a task before its dependency', () => {
    assert.throws(() => applyWavesAsPhases(PLAN, [['docs', 'web'], ['api']]), /'docs' \(phase 1\) depends on 'api' of a later phase \(2\)/);
  });
});
