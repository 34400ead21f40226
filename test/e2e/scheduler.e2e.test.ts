// The sidebar scheduler in a real VS Code: a plan's phases and tasks, starting a task from the tree
// (its agent runs in a VS Code terminal in the task's own worktree), a task that waits shows why,
// and a finished agent marks its task finished. Screenshots in test-artifacts/e2e/.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { projectRoot, withWorkbench, type Workbench } from './harness';
import { makeTempRepo } from '../helpers/tempRepo';

const vsix = process.env.LOCKSTEP_E2E_VSIX ?? path.join(projectRoot, 'dist/lockstep.vsix');
const simAgent = path.join(projectRoot, 'test/fixtures/plans/simAgent.mjs');

async function clickTreeAction(wb: Workbench, viewTitle: string, rowLabel: string, action: string): Promise<void> {
  const pane = wb.page.locator('.pane').filter({ has: wb.page.locator('.pane-header .title', { hasText: new RegExp(`^${viewTitle}$`, 'i') }) });
  const row = pane.locator('.pane-body .monaco-list-row').filter({ has: wb.page.locator('.label-name', { hasText: rowLabel }) }).first();
  await row.hover();
  await row.locator(`.action-label[aria-label="${action}"]`).click();
}

test('a plan in the Scheduler view: start from the tree, a waiting task says why, the agent runs in a terminal', { timeout: 420_000 }, async (t) => {
  const repo = makeTempRepo({ files: { 'README.md': '# sched\n', 'src/api/a.ts': 'export const a = 1;\n', 'src/ui/b.ts': 'export const b = 1;\n' } });
  const gate = path.join(path.dirname(repo.root), 'release-agent');
  const prompt = (edits: { path: string; content: string }[], commit: string) => JSON.stringify({ edits, commit, waitFor: gate });
  const plan = {
    target: 'main',
    maxParallel: 2,
    agents: { sim: ['node', simAgent, '{promptFile}'] },
    tasks: [
      { id: 'api', title: 'API endpoint', agent: 'sim', phase: 1, scope: ['src/api/**'], prompt: prompt([{ path: 'src/api/a.ts', content: 'export const a = 2;\n' }], 'api: a = 2') },
      { id: 'api-docs', title: 'API docs', agent: 'sim', phase: 1, scope: ['src/api/**'], prompt: prompt([{ path: 'src/api/a.ts', content: '// docs\n' }], 'docs') },
      { id: 'ui', title: 'Cart page', agent: 'sim', phase: 2, scope: ['src/ui/**'], dependsOn: ['api'], prompt: prompt([], 'ui') },
    ],
  };
  fs.mkdirSync(path.join(repo.root, '.lockstep'));
  fs.writeFileSync(path.join(repo.root, '.lockstep/plan.yaml'), JSON.stringify(plan, null, 2)); // JSON is YAML
  repo.commitAll('plan');
  try {
    await withWorkbench({ vsix, folder: repo.root, name: 'scheduler' }, async (wb) => {
      t.diagnostic(`startup: ${JSON.stringify(wb.timings)}`);
      await wb.waitForStatusBar(/0 locks/, 90_000);
      let items = await wb.waitForTreeItems('Scheduler', (i) => i.some((x) => x.label === 'API endpoint'));
      assert.deepEqual(items.filter((i) => i.level === 1).map((i) => i.label), ['Phase 1', 'Phase 2']);
      assert.match(items.find((i) => i.label === 'Cart page')!.description, /ui · sim · queued — (phase 2 opens|depends on 'api')/);
      await wb.screenshot('scheduler-0-plan');

      await clickTreeAction(wb, 'Scheduler', 'API endpoint', 'Start Task');
      await wb.approvePlanCommands(10_000); // VS Code asks before running the plan's agent command the first time
      items = await wb.waitForTreeItems('Scheduler', (i) => /running/.test(i.find((x) => x.label === 'API endpoint')?.description ?? ''), 120_000);
      const docs = items.find((i) => i.label === 'API docs')!;
      assert.match(docs.description, /waits for 'api': both write src\/api\/\*\*/);
      // The agent runs in a terminal named after its task, in the task's worktree.
      await wb.page.locator('.terminal-tabs-entry, .single-terminal-tab, .terminal-tab').filter({ hasText: /Lockstep: api/ }).first().waitFor({ state: 'visible', timeout: 60_000 });
      const worktree = path.join(path.dirname(repo.root), `${path.basename(repo.root)}-worktrees`, 'api');
      assert.ok(fs.existsSync(worktree), `worktree ${worktree} exists`);
      await wb.screenshot('scheduler-1-running');

      // Let the agent edit, commit and exit: the task is finished; its branch has the commit.
      fs.writeFileSync(gate, 'go');
      await wb.waitForTreeItems('Scheduler', (i) => /finished/.test(i.find((x) => x.label === 'API endpoint')?.description ?? ''), 120_000);
      assert.match(repo.git('log', '-1', '--format=%s', 'lockstep/api'), /api: a = 2/);
      await wb.screenshot('scheduler-2-finished');

      // "Show Task Changes" opens the task's diff against the target.
      await clickTreeAction(wb, 'Scheduler', 'API endpoint', 'Show Task Changes');
      await wb.page.locator('.tab').filter({ hasText: /Task 'api'/ }).first().waitFor({ state: 'visible', timeout: 30_000 });
      await wb.page.getByText('export const a = 2;').first().waitFor({ state: 'visible', timeout: 30_000 });
      await wb.screenshot('scheduler-3-task-diff');
    });
  } finally {
    fs.rmSync(path.join(path.dirname(repo.root), `${path.basename(repo.root)}-worktrees`), { recursive: true, force: true });
    repo.cleanup();
  }
});
