// The Sessions & Locks and Scheduler views' items for a store state made with the real CLI and a plan file.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'mocha';
import type { LockstepTestApi } from '../../../../src/extension/testApi';
import { activate, claim, release, waitFor, workspaceRoot } from '../../support/lockstep';
import { readTree, type TreeNode } from '../../support/tree';

const PLAN = `target: main
maxParallel: 2
agents:
  claude: ["claude", "{prompt}"]
tasks:
  - id: survey
    title: Map the code
    readOnly: true
    phase: 1
    prompt: Read the repository.
  - id: api
    title: Change the API
    agent: claude
    phase: 2
    scope: ["src/a.ts"]
    dependsOn: [survey]
    prompt: Change src/a.ts.
  - id: ui
    title: Change the UI
    agent: claude
    phase: 2
    scope: ["src/b.ts"]
    dependsOn: [survey]
    prompt: Change src/b.ts.
`;

describe('tree views', () => {
  let api: LockstepTestApi;
  const planFile = () => path.join(workspaceRoot(), '.lockstep', 'plan.yaml');

  before(async () => {
    api = await activate();
    await waitFor('the coordinator to run', async () => api.serverState(), (s) => s === 'running', 60_000);
  });
  after(() => {
    release('codex:bob');
    release('claude:carol');
    fs.rmSync(path.dirname(planFile()), { recursive: true, force: true });
  });

  it('Sessions & Locks lists each session with the files it holds', async () => {
    claim('codex:bob', 'src/a.ts', 'src/b.ts');
    claim('claude:carol', 'README.md');
    const sessionNode = (tree: TreeNode[], id: string) => tree.find((n) => n.id === `session:${id}`);
    const tree = await waitFor(
      'both sessions with their files in Sessions & Locks',
      () => readTree(api.sessionsTree),
      (t) => sessionNode(t, 'codex:bob')?.children.length === 2 && sessionNode(t, 'claude:carol')?.children.length === 1,
    );
    const bob = sessionNode(tree, 'codex:bob')!;
    assert.match(bob.label, /codex/);
    assert.equal(bob.contextValue, 'lockstep.session.live');
    assert.deepEqual(bob.children.map((c) => c.label).sort(), ['src/a.ts', 'src/b.ts']);
    for (const file of bob.children) {
      assert.equal(file.contextValue, 'lockstep.file.other', `${file.label} is held by another session`);
      assert.equal(file.resourcePath, path.join(workspaceRoot(), ...file.label.split('/')));
    }
    const carol = sessionNode(tree, 'claude:carol')!;
    assert.match(carol.label, /claude/);
    assert.deepEqual(carol.children.map((c) => c.label), ['README.md']);

    release('codex:bob', 'src/b.ts');
    await waitFor(
      'src/b.ts gone from the tree',
      () => readTree(api.sessionsTree),
      (t) => JSON.stringify(sessionNode(t, 'codex:bob')?.children.map((c) => c.label)) === '["src/a.ts"]',
    );
  });

  it("Scheduler lists the plan's phases and tasks", async () => {
    fs.mkdirSync(path.dirname(planFile()), { recursive: true });
    fs.writeFileSync(planFile(), PLAN);
    const tree = await waitFor('two phases in the Scheduler view', () => readTree(api.schedulerTree), (t) => t.length === 2);
    assert.deepEqual(tree.map((p) => p.label), ['Phase 1', 'Phase 2']);
    const taskIds = (phase: TreeNode) => phase.children.map((t) => t.id);
    assert.deepEqual(taskIds(tree[0]!), ['task:survey']);
    assert.deepEqual(taskIds(tree[1]!).sort(), ['task:api', 'task:ui']);
    const api2 = tree[1]!.children.find((t) => t.id === 'task:api')!;
    assert.equal(api2.label, 'Change the API');
    assert.match(api2.description ?? '', /^api · claude · \w+/);
    assert.match(api2.contextValue ?? '', /^lockstep\.task\./);

    fs.writeFileSync(planFile(), 'tasks: [\n'); // broken YAML: the view lists the problems instead
    await waitFor('the plan problems in the Scheduler view', () => readTree(api.schedulerTree), (t) => t.length > 0 && !t.some((n) => /^Phase/.test(n.label)));
  });
});
