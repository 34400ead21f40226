import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LandingOrderError, landingOrder } from '../../src/core/landingOrder';

const plan = {
  tasks: [
    { id: 'survey', dependsOn: [] },
    { id: 'web', dependsOn: ['api'] },
    { id: 'api', dependsOn: ['survey'] },
    { id: 'docs', dependsOn: [] },
    { id: 'e2e', dependsOn: ['web', 'api'] },
  ],
};

describe('landing order', () => {
  it('orders by dependencies, then plan order', () => {
    assert.deepEqual(landingOrder(plan, ['e2e', 'docs', 'web', 'api'], new Set(['survey'])), ['api', 'web', 'docs', 'e2e']);
    assert.deepEqual(landingOrder(plan, ['docs', 'survey'], new Set()), ['survey', 'docs']);
    assert.deepEqual(landingOrder(plan, [], new Set()), []);
  });

  it('refuses a set that misses a dependency that has not landed, saying which', () => {
    assert.throws(
      () => landingOrder(plan, ['web', 'e2e'], new Set(['survey'])),
      (e: unknown) =>
        e instanceof LandingOrderError &&
        e.message === "cannot land without dependencies that have not landed: 'web' needs 'api', 'e2e' needs 'api'; add them to this landing or land them first",
    );
  });

  it('accepts a dependency that already landed', () => {
    assert.deepEqual(landingOrder(plan, ['web'], new Set(['survey', 'api'])), ['web']);
  });

  it('refuses unknown, repeated or already landed ids', () => {
    assert.throws(() => landingOrder(plan, ['ghost'], new Set()), /cannot land 'ghost': no such task in the plan/);
    assert.throws(() => landingOrder(plan, ['docs', 'docs'], new Set()), /'docs' is listed twice/);
    assert.throws(() => landingOrder(plan, ['docs'], new Set(['docs'])), /'docs' has already landed/);
  });
});
