// Landing in a real VS Code (code-server in Chromium): a plan whose two phase-1 tasks were run by the
// scheduler (simulated agents committing on lockstep/<id>, started from the CLI) and finished. From the
// palette, "Lockstep: Land Tasks…" picks both and lands them atomically; the Scheduler tree shows them
// landed and phase 2 open, the result notification offers the landed commit, which opens read-only;
// "Undo Last Landing" puts it all back.
// Screenshots go to test-artifacts/e2e/landing-*.png.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { projectRoot, withWorkbench, type TreeItem } from './harness';
import { ensureBuilt } from '../helpers/cli';
import { makeSchedRepo, startFromCliUntilFinished } from '../fixtures/plans/schedulerRepo';

const vsix = process.env.LOCKSTEP_E2E_VSIX ?? path.join(projectRoot, 'dist/lockstep.vsix');

function taskRow(items: TreeItem[], id: string): TreeItem | undefined {
  return items.find((i) => i.description.startsWith(`${id} ·`));
}

test('land two finished tasks atomically from the palette: the tree shows them landed, the result opens the landing', { timeout: 420_000 }, async (t) => {
  assert.ok(fs.existsSync(vsix), `${vsix} is missing: run npm run package`);
  ensureBuilt();
  const r = makeSchedRepo({ prefix: 'lockstep-e2e-landing-' });
  try {
    r.writePlan({
      // The check takes a few seconds, so the progress notification can be seen (and photographed).
      verify: [process.execPath, '-e', "setTimeout(() => require('fs').accessSync('src/a.ts'), 4000)"],
      tasks: [
        { id: 'api', scope: ['src/a.ts'], sim: { edits: [{ path: 'src/a.ts', content: 'export const a = 42;\n' }], commit: 'api: the answer' } },
        { id: 'docs', scope: ['docs/**'], sim: { edits: [{ path: 'docs/guide.md', content: '# Guide\n' }], commit: 'docs: a guide' } },
        { id: 'client', phase: 2, scope: ['src/b.ts'], dependsOn: ['api'] },
      ],
    });
    await startFromCliUntilFinished(r, ['api', 'docs']);
    const base = r.repo.git('rev-parse', 'main');

    await withWorkbench({ vsix, folder: r.repo.root, name: 'landing', settings: { 'lockstep.userName': 'tester' } }, async (wb) => {
      t.diagnostic(`startup: ${JSON.stringify(wb.timings)}`);
      await wb.waitForStatusBar(/locks?/, 90_000);
      const before = await wb.waitForTreeItems('Scheduler', (items) => /finished/.test(taskRow(items, 'api')?.description ?? '') && /finished/.test(taskRow(items, 'docs')?.description ?? ''), 60_000);
      assert.match(taskRow(before, 'client')!.description, /queued — phase 2 opens when phase 1 has landed/);
      await wb.screenshot('landing-0-finished');

      // Palette → multi-select (the finished tasks come pre-selected) → "Atomically".
      await wb.runCommand('Lockstep: Land Tasks…');
      const quick = wb.page.locator('.quick-input-widget');
      await quick.locator('.quick-input-title', { hasText: 'Land which tasks on main?' }).waitFor({ state: 'visible', timeout: 20_000 });
      const rows = quick.locator('.monaco-list-row');
      await rows.filter({ hasText: 'Task api' }).waitFor({ state: 'visible', timeout: 10_000 });
      assert.equal(await rows.filter({ hasText: 'Task docs' }).count(), 1);
      assert.match((await rows.filter({ hasText: 'Task api' }).textContent()) ?? '', /api · finished · 1 commit ahead/);
      await wb.screenshot('landing-1-pick');
      await wb.page.keyboard.press('Enter');
      const atomically = quick.locator('.monaco-list-row').filter({ has: wb.page.locator('.label-name', { hasText: /^Atomically$/ }) });
      await atomically.waitFor({ state: 'visible', timeout: 10_000 });
      await atomically.click();
      // The plan's commands are new to this user: VS Code asks once before running them.
      assert.ok(await wb.approvePlanCommands(), "VS Code asked before running the plan's commands");
      const inProgress = await wb.waitForNotification(/Lockstep: landing api, docs on main/, 30_000);
      t.diagnostic(`progress: ${inProgress}`);
      await wb.waitForNotification(/running .* on [0-9a-f]{12}/, 30_000);
      await wb.screenshot('landing-2-progress');

      const message = await wb.waitForNotification(/landed api, docs on main \([0-9a-f]{12}\)/, 60_000);
      assert.match(message, /^Lockstep: landed api, docs on main/);
      const after = await wb.waitForTreeItems('Scheduler', (items) => /· landed/.test(taskRow(items, 'api')?.description ?? '') && /· landed/.test(taskRow(items, 'docs')?.description ?? ''));
      assert.match(taskRow(after, 'client')!.description, /· ready/, 'phase 2 opened');
      await wb.screenshot('landing-3-landed');

      // The target has both tasks' work, merged in one landing.
      const tip = r.repo.git('rev-parse', 'main');
      assert.notEqual(tip, base);
      assert.deepEqual(r.repo.git('log', '--first-parent', '--format=%s', `${base}..main`).split('\n'), ['Land docs', 'Land api']);
      assert.equal(r.repo.git('show', 'main:src/a.ts'), 'export const a = 42;');

      // "Show Commit" on the result opens the landing read-only: its diffstat, then each merge it made.
      const toast = wb.page.locator('.notifications-toasts .notification-toast').filter({ hasText: /landed api, docs on main/ });
      await toast.locator('.monaco-button', { hasText: 'Show Commit' }).click();
      await wb.page
        .locator('.tabs-container .tab.active')
        .filter({ has: wb.page.locator('.label-name', { hasText: `landing-${tip.slice(0, 12)}.txt` }) })
        .waitFor({ state: 'visible', timeout: 20_000 });
      const lines = (await wb.editorLines()).map((l) => l.text);
      assert.equal(lines[0], `Landed: ${base.slice(0, 12)} → ${tip.slice(0, 12)}`);
      assert.ok(lines.some((l) => /^ docs\/guide\.md \| 1 \+/.test(l)), lines.join('\n'));
      assert.ok(lines.some((l) => /^ src\/a\.ts +\| 2 \+-/.test(l)), lines.join('\n'));
      assert.ok(lines.some((l) => l === `commit ${tip}`), lines.join('\n'));
      assert.ok(lines.some((l) => /^\s+Land docs$/.test(l)) && lines.some((l) => /^\s+Land api$/.test(l)), lines.join('\n'));
      assert.equal(await wb.page.locator('.tabs-container .tab.active.dirty').count(), 0, 'a read-only document, never dirty');
      await wb.screenshot('landing-4-landing-opened');

      // "Lockstep: Undo Last Landing" (confirmed in its dialog) puts main and the tasks back.
      await wb.runCommand('Lockstep: Undo Last Landing');
      const dialog = wb.page.locator('.monaco-dialog-box');
      await dialog.waitFor({ state: 'visible', timeout: 10_000 });
      assert.match((await dialog.textContent()) ?? '', /Undo the last landing on main\?/);
      await dialog.locator('.monaco-button', { hasText: 'Undo Landing' }).click();
      await wb.waitForNotification(/undid landing 1: main is back at [0-9a-f]{12}; api, docs are finished again; re-created lockstep\/api, lockstep\/docs/);
      const undone = await wb.waitForTreeItems('Scheduler', (items) => /· finished/.test(taskRow(items, 'api')?.description ?? '') && /· finished/.test(taskRow(items, 'docs')?.description ?? ''));
      assert.match(taskRow(undone, 'client')!.description, /· queued/, 'phase 2 closed again');
      assert.equal(r.repo.git('rev-parse', 'main'), base);
      await wb.screenshot('landing-5-undone');
    });
  } finally {
    await r.cleanup();
  }
});
