// The landing queue in a real VS Code (code-server in Chromium): a plan with landingQueue.enabled whose
// three tasks were run by the scheduler (simulated agents, started from the CLI) and finished while the
// queue was paused. The Scheduler view's "Landing queue" node shows it paused with the three waiting;
// "Lockstep: Resume the Landing Queue" (plan commands approved) lets the coordinator land them in one
// batch, bisecting to the task that breaks the check; a notification tells the batch, and the queue
// shows the two landed and the culprit failed with its reason. "Pause the Landing Queue" pauses it.
// Screenshots go to test-artifacts/e2e/landing-queue-*.png.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { projectRoot, withWorkbench, type TreeItem } from './harness';
import { ensureBuilt, runCli } from '../helpers/cli';
import { makeSchedRepo, startFromCliUntilFinished } from '../fixtures/plans/schedulerRepo';

const vsix = process.env.LOCKSTEP_E2E_VSIX ?? path.join(projectRoot, 'dist/lockstep.vsix');

const row = (items: TreeItem[], label: RegExp) => items.find((i) => label.test(i.label));
const queueRow = (items: TreeItem[]) => row(items, /^Landing queue$/);
/** A queue entry: its label is the task's title, its description `<state>[: reason] (<id>)`. */
const entry = (items: TreeItem[], id: string) => items.find((i) => i.description.endsWith(`(${id})`));

test('the landing queue in the Scheduler view: paused with tasks waiting, resumed it lands a batch and names the culprit; a notification per batch', { timeout: 420_000 }, async (t) => {
  assert.ok(fs.existsSync(vsix), `${vsix} is missing: run npm run package`);
  ensureBuilt();
  const r = makeSchedRepo({ prefix: 'lockstep-e2e-queue-' });
  const cli = (args: string[]) => runCli(args, { cwd: r.repo.root });
  try {
    r.writePlan({
      // The check takes a few seconds, so "verifying" can be seen; it fails when src/BAD.ts is in the candidate.
      verify: [process.execPath, '-e', "setTimeout(() => { if (require('fs').existsSync('src/BAD.ts')) { console.log('broken by src/BAD.ts'); process.exit(2); } }, 3000)"],
      landingQueue: { enabled: true, batchSize: 8 },
      tasks: [
        { id: 'api', scope: ['src/a.ts'], sim: { edits: [{ path: 'src/a.ts', content: 'export const a = 42;\n' }], commit: 'api: the answer' } },
        { id: 'bad', scope: ['src/BAD.ts'], sim: { edits: [{ path: 'src/BAD.ts', content: 'broken\n' }], commit: 'bad: breaks the check' } },
        { id: 'docs', scope: ['docs/**'], sim: { edits: [{ path: 'docs/guide.md', content: '# Guide\n' }], commit: 'docs: a guide' } },
      ],
    });
    assert.equal(cli(['queue', 'pause']).stdout, 'the landing queue is paused\n');
    await startFromCliUntilFinished(r, ['api', 'bad', 'docs']);
    const base = r.repo.git('rev-parse', 'main');

    await withWorkbench({ vsix, folder: r.repo.root, name: 'landing-queue', settings: { 'lockstep.userName': 'tester' }, viewport: { width: 1400, height: 1000 } }, async (wb) => {
      t.diagnostic(`startup: ${JSON.stringify(wb.timings)}`);
      await wb.waitForStatusBar(/locks?/, 90_000);
      const paused = await wb.waitForTreeItems('Scheduler', (items) => /^paused · 3 waiting$/.test(queueRow(items)?.description ?? ''), 60_000);
      for (const id of ['api', 'bad', 'docs']) assert.equal(entry(paused, id)?.description, `waiting (${id})`);
      assert.equal(r.repo.git('rev-parse', 'main'), base, 'nothing lands while the queue is paused');
      await wb.screenshot('landing-queue-0-paused');

      // Resume: VS Code asks before the plan's verify command runs, then the coordinator lands the batch.
      await wb.runCommand('Lockstep: Resume the Landing Queue');
      assert.ok(await wb.approvePlanCommands(), "VS Code asked before running the plan's commands");
      await wb.waitForNotification(/the landing queue is running; 3 waiting tasks land now/, 30_000);
      await wb.waitForTreeItems('Scheduler', (items) => /verifying/.test(queueRow(items)?.description ?? ''), 30_000);
      await wb.screenshot('landing-queue-1-verifying');

      const message = await wb.waitForNotification(/Lockstep queue: landed api, docs on main \([0-9a-f]{12}\) in one batch; 'bad' fails the check \(exit 2\)/, 120_000);
      t.diagnostic(`batch: ${message}`);
      const after = await wb.waitForTreeItems('Scheduler', (items) => /^running · 1 failed$/.test(queueRow(items)?.description ?? '') && /^landed/.test(entry(items, 'api')?.description ?? ''), 30_000);
      assert.match(entry(after, 'bad')!.description, /^failed: verify failed \(exit 2\): broken by src\/BAD\.ts \(bad\)$/);
      assert.equal(entry(after, 'docs')?.description, 'landed (docs)');
      await wb.screenshot('landing-queue-2-landed');
      assert.equal(r.repo.git('show', 'main:src/a.ts'), 'export const a = 42;');
      assert.equal(r.repo.git('show', 'main:docs/guide.md'), '# Guide');
      assert.equal(r.repo.git('ls-tree', '--name-only', 'main', 'src/BAD.ts'), '', 'the culprit did not land');
      assert.equal(r.repo.git('for-each-ref', '--format=%(refname)', 'refs/lockstep/landings/'), 'refs/lockstep/landings/1', 'one compare-and-swap');

      // Pause from the palette: the tree and the CLI agree.
      await wb.runCommand('Lockstep: Pause the Landing Queue');
      await wb.waitForNotification(/the landing queue is paused/, 30_000);
      await wb.waitForTreeItems('Scheduler', (items) => /^paused · 1 failed$/.test(queueRow(items)?.description ?? ''), 30_000);
      assert.equal(JSON.parse(cli(['queue', '--json']).stdout).paused, true);
      await wb.screenshot('landing-queue-3-paused-again');
    });
  } finally {
    await r.cleanup();
  }
});
