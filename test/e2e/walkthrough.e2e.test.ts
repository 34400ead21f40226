// The first run of an extension user, in a real VS Code: the "Get started with Lockstep" walkthrough,
// walked step by step. Each step completes by itself once the user (or an agent) has done the thing:
// hooks installed, an agent session seen, a file claimed, a plan created from a template, a task
// started, the matrix opened, a task landed. A screenshot per step in test-artifacts/e2e/.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { projectRoot, waitFor, withWorkbench, type Workbench } from './harness';
import { claudeSession } from './support/agentHooks';
import { runCli } from '../helpers/cli';
import { makeTempRepo } from '../helpers/tempRepo';

const vsix = process.env.LOCKSTEP_E2E_VSIX ?? path.join(projectRoot, 'dist/lockstep.vsix');
const simAgent = path.join(projectRoot, 'test/fixtures/plans/simAgent.mjs');
const STEPS = ['hooks', 'session', 'claim', 'plan', 'start', 'matrix', 'land'] as const;

/** The walkthrough's step buttons, with whether each shows as done. */
async function stepStates(wb: Workbench): Promise<Record<string, boolean>> {
  return wb.page.locator('.getting-started-step').evaluateAll((els) =>
    Object.fromEntries(
      els.map((el) => [
        (el.getAttribute('data-step-id') ?? '').replace(/^.*#/, ''),
        !!el.querySelector('.codicon-pass-filled, .complete'),
      ]),
    ),
  );
}

async function waitForDone(wb: Workbench, step: (typeof STEPS)[number], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states = await stepStates(wb);
    if (states[step]) return;
    if (Date.now() > deadline) throw new Error(`walkthrough step '${step}' did not complete: ${JSON.stringify(states)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

async function showStep(wb: Workbench, step: (typeof STEPS)[number]): Promise<void> {
  await wb.page.locator(`.getting-started-step[data-step-id$="${step}"]`).first().click();
}

/** Welcome: Open Walkthrough… → Get started with Lockstep (the command opens a second pick, so not runCommand). */
async function openWalkthrough(wb: Workbench): Promise<void> {
  // Keys typed while a webview (the matrix) has focus go to its frame: give the workbench focus first.
  await wb.page.locator('.part.sidebar .composite.title').first().click();
  await wb.page.keyboard.press('F1');
  const box = wb.page.locator('.quick-input-widget .quick-input-box input');
  await box.waitFor({ state: 'visible', timeout: 10_000 });
  await box.fill('>Welcome: Open Walkthrough');
  await pick(wb, /Welcome: Open Walkthrough/);
  await pick(wb, /Get started with Lockstep/);
  await wb.page.locator('.getting-started-step').first().waitFor({ state: 'visible', timeout: 30_000 });
}

async function pick(wb: Workbench, label: RegExp): Promise<void> {
  const row = wb.page.locator('.quick-input-widget .monaco-list-row').filter({ has: wb.page.locator('.label-name', { hasText: label }) }).first();
  await row.waitFor({ state: 'visible', timeout: 20_000 });
  await row.click();
}

test('the walkthrough takes a new user from installed to landed, each step completing by itself', { timeout: 420_000 }, async () => {
  const repo = makeTempRepo({ files: { 'README.md': '# first run\n', 'src/api/orders.ts': 'export const orders = [];\n', 'src/ui/cart.ts': 'export const cart = 1;\n' } });
  try {
    await withWorkbench({ vsix, folder: repo.root, name: 'walkthrough' }, async (wb) => {
      await wb.waitForStatusBar(/0 locks/, 90_000);
      await openWalkthrough(wb);
      assert.deepEqual(Object.keys(await stepStates(wb)), [...STEPS]);
      assert.deepEqual(Object.values(await stepStates(wb)), STEPS.map(() => false), 'nothing is done yet');
      await wb.screenshot('walkthrough-0-start');

      // 1. Install hooks: the quick pick offers every agent; pick Claude Code, project scope.
      await wb.runCommand('Lockstep: Install Agent Hooks…').catch(() => undefined); // its pick stays open
      const box = wb.page.locator('.quick-input-widget .quick-input-box input');
      await box.fill('claude');
      await wb.page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: /^claude/ }).first().waitFor({ state: 'visible', timeout: 20_000 });
      await wb.page.keyboard.press('ArrowDown');
      await wb.page.keyboard.press('Space');
      await wb.page.keyboard.press('Enter');
      await wb.page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: /^project/ }).first().waitFor({ state: 'visible', timeout: 20_000 });
      await box.fill('project');
      await wb.page.keyboard.press('Enter');
      const settings = path.join(repo.root, '.claude/settings.json');
      await waitFor('hooks in .claude/settings.json', async () => (fs.existsSync(settings) ? fs.readFileSync(settings, 'utf8') : ''), (t) => /lockstep|hook/.test(t), 60_000);
      await waitForDone(wb, 'hooks');
      await showStep(wb, 'hooks');
      await wb.screenshot('walkthrough-1-hooks');

      // 2. An agent works in the repository: its session appears.
      const alice = claudeSession('alice-first-run', repo.root);
      assert.equal(alice.preEdit('src/ui/cart.ts').allowed, true);
      await waitForDone(wb, 'session');
      await showStep(wb, 'session');
      await wb.screenshot('walkthrough-2-session');

      // 3. Claim a file for yourself.
      await wb.openFile('README.md');
      await wb.runCommand('Lockstep: Claim File for Me');
      await openWalkthrough(wb);
      await waitForDone(wb, 'claim');
      await showStep(wb, 'claim');
      await wb.screenshot('walkthrough-3-claim');

      // 4. Create a plan from a template: a valid plan file.
      await wb.runCommand('Lockstep: Create a Plan').catch(() => undefined); // its template pick stays open
      await pick(wb, /Investigate, then fix/);
      await wb.page.locator('.tab').filter({ hasText: 'plan.yaml' }).first().waitFor({ state: 'visible', timeout: 30_000 });
      assert.match(fs.readFileSync(path.join(repo.root, '.lockstep/plan.yaml'), 'utf8'), /readOnly: true/);
      await openWalkthrough(wb);
      await waitForDone(wb, 'plan');
      await showStep(wb, 'plan');
      await wb.screenshot('walkthrough-4-plan');

      // 5. Start a task (here an agent that edits, commits and exits, started from a terminal).
      const plan = {
        target: 'main',
        agents: { sim: ['node', simAgent, '{promptFile}'] },
        tasks: [{ id: 'cart', title: 'Cart totals', agent: 'sim', scope: ['src/ui/**'], prompt: JSON.stringify({ edits: [{ path: 'src/ui/cart.ts', content: 'export const cart = 2;\n' }], commit: 'cart: totals' }) }],
      };
      fs.writeFileSync(path.join(repo.root, '.lockstep/plan.yaml'), JSON.stringify(plan, null, 2));
      repo.git('add', '.lockstep/plan.yaml', 'README.md');
      repo.git('commit', '-q', '-m', 'plan');
      alice.end();
      const started = runCli(['task', 'start', 'cart'], { cwd: repo.root });
      assert.equal(started.status, 0, started.stderr);
      await waitForDone(wb, 'start');
      await showStep(wb, 'start');
      await wb.screenshot('walkthrough-5-start');

      // 6. Open the conflict matrix.
      await wb.runCommand('Lockstep: Show Conflict Matrix');
      await openWalkthrough(wb);
      await waitForDone(wb, 'matrix');
      await showStep(wb, 'matrix');
      await wb.screenshot('walkthrough-6-matrix');

      // 7. The task finishes and lands.
      await wb.waitForTreeItems('Scheduler', (i) => /finished/.test(i.find((x) => x.label === 'Cart totals')?.description ?? ''), 120_000);
      const landed = runCli(['land', 'cart'], { cwd: repo.root });
      assert.equal(landed.status, 0, `${landed.stdout}${landed.stderr}`);
      await openWalkthrough(wb);
      await waitForDone(wb, 'land');
      await showStep(wb, 'land');
      assert.deepEqual(Object.values(await stepStates(wb)), STEPS.map(() => true), 'every step is done');
      await wb.screenshot('walkthrough-7-land');
    });
  } finally {
    fs.rmSync(path.join(path.dirname(repo.root), `${path.basename(repo.root)}-worktrees`), { recursive: true, force: true });
    repo.cleanup();
  }
});
