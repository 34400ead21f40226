// Proves the real-VS-Code harness: a throwaway extension installed from a .vsix into code-server shows
// its status bar item, explorer badges, tree view, editor decoration and notification in chromium.
// Run through scripts/test-e2e.sh (which installs code-server and chromium first).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { collectLogs } from './harness/codeServer';
import { packageVsix, projectRoot, withWorkbench, type Workbench } from './harness';
import { makeTempRepo } from '../helpers/tempRepo';

const smokeExtensionDir = path.join(__dirname, 'fixtures/smoke-extension');
// `npm run package` writes it; LOCKSTEP_E2E_VSIX points the test at another build.
const lockstepVsix = process.env.LOCKSTEP_E2E_VSIX ?? path.join(projectRoot, 'dist/lockstep.vsix');

async function withSmokeVsix(fn: (vsix: string) => Promise<void>): Promise<void> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-smoke-vsix-'));
  try {
    await fn(await packageVsix(smokeExtensionDir, path.join(out, 'smoke.vsix')));
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

async function waitForEditorLine(wb: Workbench, line: number, injected: RegExp) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const lines = await wb.editorLines();
    const l = lines.find((x) => x.line === line);
    if (l && l.injectedText.some((t) => injected.test(t))) return lines;
    if (Date.now() > deadline) assert.fail(`line ${line} never showed ${injected}; lines: ${JSON.stringify(lines)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('a packaged extension shows its status bar item, badges, tree, decorations, notifications and webview', { timeout: 240_000 }, async (t) => {
  const repo = makeTempRepo({
    files: { 'locked.txt': 'hello\nworld\n', 'other.txt': 'free\n', 'src/deep/nested.txt': 'deep\n' },
  });
  try {
    await withSmokeVsix((vsix) =>
      withWorkbench(
        { vsix, folder: repo.root, name: 'smoke', env: { LOCKSTEP_SMOKE_BADGE_FILES: 'src/deep/nested.txt' } },
        async (wb) => {
          t.diagnostic(`startup: ${JSON.stringify(wb.timings)}`);
          const item = await wb.waitForStatusBar(/Smoke: 1 lock/);
          assert.equal(item.id, 'lockstep-dev.lockstep-e2e-smoke.lockstepSmoke.status');
          assert.equal(item.text, 'Smoke: 1 lock');
          assert.match(item.ariaLabel, /^lock\s+Smoke: 1 lock, Lockstep smoke extension$/);
          assert.match(await wb.statusBarText(), /Smoke: 1 lock/);

          const locked = await wb.waitForExplorerBadge('locked.txt', 'LK');
          assert.equal(locked.tooltip, 'Held by smoke session');
          const other = await wb.explorerDecoration('other.txt');
          assert.equal(other.badge, undefined);
          assert.notEqual(other.color, locked.color, 'the decoration colour applies to the badged row only');

          // A nested file: the harness expands its folders; its badge comes from the env the test passed.
          await wb.revealInExplorer('src/deep/nested.txt');
          await wb.waitForExplorerBadge('src/deep/nested.txt', 'LK');
          await wb.waitForNoExplorerBadge('src/deep');
          await wb.screenshot('smoke-explorer');

          await wb.openFile('locked.txt');
          const lines = await waitForEditorLine(wb, 1, /held by smoke/);
          assert.equal(lines[0]!.text, 'hello');
          assert.ok(lines[0]!.overlays.some((c) => /\bced-/.test(c)), 'line 1 has the whole-line background');
          const line2 = lines.find((l) => l.line === 2)!;
          assert.equal(line2.text, 'world');
          assert.deepEqual(line2.injectedText, []);
          await wb.openFile('src/deep/nested.txt');
          await waitForEditorLine(wb, 1, /held by smoke/);
          await wb.screenshot('smoke-editor');

          const items = await wb.waitForTreeItems('Smoke Leases', (i) => i.length === 2);
          assert.deepEqual(
            items.map((i) => [i.label, i.description]),
            [
              ['locked.txt', 'smoke session'],
              ['other.txt', 'free'],
            ],
          );

          await wb.runCommand('Lockstep Smoke: Say Hello');
          assert.equal(await wb.waitForNotification(/Hello from the smoke extension/), 'Hello from the smoke extension');
          await wb.screenshot('smoke-tree-and-notification');

          await wb.runCommand('Lockstep Smoke: Show Panel');
          const panel = wb.webview();
          await panel.locator('#smoke-title').waitFor({ state: 'visible', timeout: 30_000 });
          assert.equal(await panel.locator('#smoke-title').textContent(), 'Smoke matrix');
          assert.deepEqual(await panel.locator('td.cell').allTextContents(), ['a.ts', '2']);
          await wb.screenshot('smoke-webview');
        },
      ),
    );
  } finally {
    repo.cleanup();
  }
});

test('the lockstep .vsix, when built, installs and activates without errors', { timeout: 240_000 }, async (t) => {
  if (!fs.existsSync(lockstepVsix)) {
    t.skip(`${path.relative(projectRoot, lockstepVsix)} not built (npm run package)`);
    return;
  }
  const repo = makeTempRepo();
  try {
    await withSmokeVsix((smoke) =>
      withWorkbench({ vsix: [lockstepVsix, smoke], folder: repo.root, name: 'lockstep-install' }, async (wb) => {
        // The smoke item proves the extension host finished starting extensions.
        await wb.waitForStatusBar(/Smoke: 1 lock/);
        await wb.screenshot('lockstep-installed');
        t.diagnostic(`startup: ${JSON.stringify(wb.timings)}`);
        const exthostLog = collectLogs(wb.dirs)
          .filter((l) => /exthost/i.test(l.file))
          .map((l) => l.text)
          .join('\n');
        assert.doesNotMatch(exthostLog, /Activating extension .?lockstep-dev\.lockstep.? failed/i);
        assert.ok(
          fs.readdirSync(wb.dirs.extensionsDir).some((d) => /^lockstep-dev\.lockstep-\d/.test(d)),
          'lockstep is in the extensions dir',
        );
      }),
    );
  } finally {
    repo.cleanup();
  }
});
