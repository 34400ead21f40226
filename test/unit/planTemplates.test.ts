import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePlan } from '../../src/core/planFile';
import { PLAN_TEMPLATES } from '../../src/core/planTemplates';

for (const t of PLAN_TEMPLATES) {
  for (const folders of [[], ['src/api', 'src/ui', 'lib'], ['src/API Client', 'src/2nd', 'x/api', 'y/api']]) {
    test(`template '${t.id}' is a valid plan for folders ${JSON.stringify(folders)}`, () => {
      const plan = parsePlan(t.text(folders, 'main'));
      assert.equal(plan.target, 'main');
      if (t.id !== 'blank') assert.ok(plan.tasks.length >= 2);
    });
  }
}

test('the folder split runs its folder tasks together in phase 1 and integrates after all of them', () => {
  const plan = parsePlan(PLAN_TEMPLATES.find((t) => t.id === 'folders')!.text(['src/api', 'src/ui'], 'trunk'));
  assert.equal(plan.target, 'trunk');
  assert.deepEqual(plan.tasks.map((t) => [t.id, t.phase, t.scope]), [['api', 1, ['src/api/**']], ['ui', 1, ['src/ui/**']], ['integrate', 2, ['src/api/**', 'src/ui/**']]]);
  assert.deepEqual(plan.tasks[2]!.dependsOn, ['api', 'ui']);
});

test('investigate-then-fix has a read-only first phase', () => {
  const plan = parsePlan(PLAN_TEMPLATES.find((t) => t.id === 'investigate-fix')!.text(['src'], 'main'));
  assert.deepEqual(plan.tasks.filter((t) => t.phase === 1).map((t) => t.readOnly), [true, true]);
  assert.equal(plan.tasks.find((t) => t.id === 'fix')!.readOnly, false);
});

test('folders with the same last name get distinct task ids, and integrate depends on each', () => {
  const plan = parsePlan(PLAN_TEMPLATES.find((t) => t.id === 'folders')!.text(['x/api', 'y/api'], 'main'));
  assert.deepEqual(plan.tasks.map((t) => t.id), ['api', 'api-2', 'integrate']);
  assert.deepEqual(plan.tasks[2]!.dependsOn, ['api', 'api-2']);
});
