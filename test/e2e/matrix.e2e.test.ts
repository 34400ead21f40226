// The conflict matrix in a real VS Code (code-server in Chromium): four tasks in a plan, api and web
// conflicting (planned overlap of their scopes and a real merge conflict on their branches). The
// cell shows the conflict, a click lists the files with who and why, keyboard navigation opens
// other cells, a task title full of markup renders as text, an agent's lease taken through its real
// hook appears live without losing the selection, the diff of the two branches opens, serializing
// the two tasks writes the dependency into the plan, a message to a task's agent reaches its
// mailbox. Screenshots in light and dark themes.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { parsePlan } from '../../src/core/planFile';
import { openEmbeddedStore } from '../../src/store/embeddedStore';
import { runCli } from '../helpers/cli';
import { makeTempRepo } from '../helpers/tempRepo';
import { projectRoot, withWorkbench, type Workbench, waitFor } from './harness';
import { claudeSession } from './support/agentHooks';

const vsix = process.env.LOCKSTEP_E2E_VSIX ?? path.join(projectRoot, 'dist/lockstep.vsix');
const XSS_TITLE = 'API <img src=x onerror=alert(1)>';

const PLAN = `target: main
maxParallel: 3
tasks:
  - id: api
    title: "${XSS_TITLE}"
    prompt: build the api
    scope: ["src/api/**", "src/shared.ts"]
  - id: web
    title: Web front end
    prompt: build the web
    scope: ["web/**", "src/shared.ts"]
  - id: docs
    title: Docs
    prompt: write the docs
    scope: ["docs/**"]
  - id: ops
    title: Deployment
    prompt: deploy
    scope: ["ops/**"]
`;

/** Picks a colour theme the way a person does: F1, "Preferences: Color Theme", then the theme's row. */
async function setTheme(wb: Workbench, theme: string): Promise<void> {
  const widget = wb.page.locator('.quick-input-widget');
  const input = widget.locator('.quick-input-box input');
  const row = (label: string) => widget.locator('.monaco-list-row').filter({ has: wb.page.locator('.label-name', { hasText: new RegExp(`^${label}$`) }) }).first();
  await wb.page.keyboard.press('F1');
  await input.waitFor({ state: 'visible' });
  await input.fill('>Preferences: Color Theme');
  await row('Preferences: Color Theme').click();
  await row('Light Modern').waitFor();
  await input.fill(theme);
  await row(theme).click();
  await widget.waitFor({ state: 'hidden' });
}

test('the conflict matrix shows planned, live and merge overlap and lists the files of a cell', { timeout: 480_000 }, async (t) => {
  assert.ok(fs.existsSync(vsix), `${vsix} is missing: run npm run package`);
  const repo = makeTempRepo({
    prefix: 'lockstep-matrix-e2e-',
    files: {
      'README.md': '# sample\n',
      'src/shared.ts': 'export const shared = 0;\n',
      'src/api/index.ts': 'export const api = 1;\n',
      'web/app.ts': 'export const app = 1;\n',
      'docs/guide.md': '# guide\n',
      'ops/deploy.sh': 'echo deploy\n',
      '.lockstep/plan.yaml': PLAN,
    },
  });
  // api and web ran in their worktrees and both changed src/shared.ts: a real merge conflict.
  const api = repo.addWorktree('wt-api', 'lockstep/api');
  fs.writeFileSync(path.join(api, 'src/shared.ts'), 'export const shared = "api";\n');
  fs.writeFileSync(path.join(api, 'src/api/index.ts'), 'export const api = 2;\n');
  repo.git('-C', api, 'commit', '-q', '-am', 'api work');
  const web = repo.addWorktree('wt-web', 'lockstep/web');
  fs.writeFileSync(path.join(web, 'src/shared.ts'), 'export const shared = "web";\n');
  repo.git('-C', web, 'commit', '-q', '-am', 'web work');
  const store = openEmbeddedStore(fs.realpathSync(path.join(repo.root, '.git')));
  store.transact((tx) => {
    tx.setTask({ id: 'api', state: { status: 'running' }, branch: 'lockstep/api', worktree: api, sessions: [], startedAt: Date.now() });
    tx.setTask({ id: 'web', state: { status: 'finished' }, branch: 'lockstep/web', worktree: web, sessions: [], startedAt: Date.now() });
  });
  try {
    await withWorkbench(
      { vsix, folder: repo.root, name: 'matrix', settings: { 'workbench.colorTheme': 'Default Light Modern', 'lockstep.userName': 'tester' } },
      async (wb) => {
        t.diagnostic(`startup: ${JSON.stringify(wb.timings)}`);
        await wb.waitForStatusBar(/0 locks/, 90_000);
        await wb.runCommand('Lockstep: Show Conflict Matrix');
        const f = wb.webview();
        const cell = (row: number, col: number) => f.locator(`#matrix td.cell[data-row="${row}"][data-col="${col}"]`);

        // The conflicting pair: api (row 0) × web (column 1) shows a merge conflict on one file.
        await cell(0, 1).locator('.label', { hasText: 'M1' }).waitFor({ timeout: 60_000 });
        assert.match((await cell(0, 1).getAttribute('class')) ?? '', /\bkind-merge\b/);
        assert.equal(
          await cell(0, 1).getAttribute('title'),
          'api × web: merge conflict on 1 file, live overlap on 1 file, planned overlap on 1 file. Enter lists the files.',
        );
        assert.equal(await cell(1, 0).locator('.label').textContent(), 'M1', 'the grid is symmetric');
        assert.equal(await cell(2, 3).locator('.label').textContent(), '', 'docs × ops: no overlap');
        assert.deepEqual(await f.locator('#matrix .row-head .row-id').allTextContents(), ['api', 'web', 'docs', 'ops']);
        assert.deepEqual(await f.locator('#matrix .row-head .status').allTextContents(), ['running', 'finished', 'queued', 'queued']);
        assert.match((await f.locator('#summary').textContent()) ?? '', /^4 tasks · 1 pair with merge conflict$/);

        // The task title full of markup is text: no <img> element, no alert.
        assert.equal(await f.locator('#matrix .row-head .row-title').first().textContent(), XSS_TITLE);
        assert.equal(await f.locator('img').count(), 0);
        await wb.screenshot('matrix-1-light-grid');

        // A click lists the files with who holds/changed each and why, and the actions.
        await cell(0, 1).click();
        const detail = f.locator('#detail');
        await detail.locator('.detail-title', { hasText: 'api × web' }).waitFor();
        await detail.locator('.kind-merge li.file .path', { hasText: 'src/shared.ts' }).waitFor();
        assert.deepEqual(await detail.locator('.kind-merge li.file .reason').allTextContents(), ['merging api and web conflicts here']);
        assert.deepEqual(await detail.locator('.kind-live li.file .reason').allTextContents(), ['api: changed on branch', 'web: changed on branch']);
        assert.deepEqual(await detail.locator('.kind-planned li.file .reason').allTextContents(), ['api: scope src/shared.ts', 'web: scope src/shared.ts']);
        assert.equal(await detail.getByRole('button', { name: 'Run web after api' }).isEnabled(), true);
        assert.match((await cell(0, 1).getAttribute('class')) ?? '', /\bselected\b/);
        await wb.screenshot('matrix-2-light-cell');

        // "Message api's agent": VS Code asks for the text; it goes into task api's mailbox (the
        // same store function as `lockstep send api`), where the task's next session finds it.
        await detail.getByRole('button', { name: "Message api's agent" }).click();
        const input = wb.page.locator('.quick-input-widget .quick-input-box input');
        await input.waitFor({ state: 'visible', timeout: 20_000 });
        await input.fill('Keep src/shared.ts as it is on main until web lands');
        await input.press('Enter');
        await f.locator('#notice', { hasText: /^sent #1 to task api's next session \(none runs now\)/ }).waitFor({ timeout: 30_000 });
        const inbox = runCli(['inbox', '--session', 'claude:api-next', '--task', 'api', '--peek', '--json'], { cwd: repo.root });
        assert.equal(inbox.status, 0, inbox.stderr);
        const got = JSON.parse(inbox.stdout) as { messages: { from: string; to: unknown; text: string }[] };
        assert.deepEqual(got.messages.map((m) => [m.from, m.to, m.text]), [['vscode:tester', { kind: 'task', id: 'api' }, 'Keep src/shared.ts as it is on main until web lands']]);

        // Keyboard: from api × web, down to web × web, right to web × docs, Enter opens it.
        await cell(0, 1).focus();
        await wb.page.keyboard.press('ArrowDown');
        await wb.page.keyboard.press('ArrowRight');
        await wb.page.keyboard.press('Enter');
        await detail.locator('.detail-title', { hasText: 'web × docs' }).waitFor();
        assert.equal(await detail.locator('.detail-summary').textContent(), 'No overlap.');
        await wb.page.keyboard.press('ArrowLeft');
        await wb.page.keyboard.press('ArrowLeft');
        await wb.page.keyboard.press('Enter');
        await detail.locator('.detail-title', { hasText: 'web × api' }).waitFor();

        // An agent takes a lease through its real hook: a new row appears live; the selection stays.
        const agent = claudeSession('matrix-agent-1', repo.root);
        assert.deepEqual(agent.start(), { allowed: true, reason: '' });
        const pre = agent.preEdit('src/shared.ts');
        assert.equal(pre.allowed, true, pre.reason);
        await f.locator('#matrix .row-head .row-id', { hasText: 'claude:matrix-agent-1' }).waitFor({ timeout: 30_000 });
        assert.equal(await cell(4, 0).locator('.label').textContent(), 'L1', 'the agent holds a file api changed on its branch');
        assert.match((await cell(1, 0).getAttribute('class')) ?? '', /\bselected\b/, 'the selection survives the update');
        await detail.locator('.detail-title', { hasText: 'web × api' }).waitFor();

        // The diff of the two branches, read-only from git.
        await cell(0, 1).click();
        await detail.locator('.detail-title', { hasText: 'api × web' }).waitFor();
        await detail.locator('.kind-merge li.file').getByRole('button', { name: 'Diff' }).click();
        await wb.page.locator('.tabs-container .tab', { hasText: 'src/shared.ts (lockstep/api ↔ lockstep/web)' }).waitFor({ timeout: 30_000 });
        await waitFor(
          'both branch versions in the diff editor',
          () => wb.page.locator('.monaco-diff-editor .view-lines').allInnerTexts(),
          (texts) => texts.some((x) => x.includes('"api"')) && texts.some((x) => x.includes('"web"')),
        );
        await wb.screenshot('matrix-3-diff');

        // Serialize the two: web now depends on api in the plan file.
        await wb.runCommand('Lockstep: Show Conflict Matrix');
        await detail.getByRole('button', { name: 'Run web after api' }).click();
        await f.locator('#notice', { hasText: "'web' now depends on 'api'" }).waitFor({ timeout: 30_000 });
        const plan = parsePlan(fs.readFileSync(path.join(repo.root, '.lockstep/plan.yaml'), 'utf8'));
        assert.deepEqual(plan.tasks.find((x) => x.id === 'web')!.dependsOn, ['api']);
        const done = detail.getByRole('button', { name: 'web already runs after api' });
        await done.waitFor({ timeout: 30_000 });
        assert.equal(await done.isDisabled(), true);

        // Dark theme: the same page, restyled from VS Code's variables.
        await setTheme(wb, 'Dark Modern'); // the picker's label of "Default Dark Modern"
        await waitFor('the dark theme in the webview', () => f.locator('body').getAttribute('class'), (c) => /\bvscode-dark\b/.test(c ?? ''));
        await f.locator('#matrix td.cell.kind-merge').first().waitFor();
        await wb.page.waitForTimeout(500); // let the theme's colours settle before the picture
        await wb.screenshot('matrix-4-dark-cell');
        const bg = await cell(0, 1).evaluate((e) => getComputedStyle(e).backgroundColor);
        assert.notEqual(bg, 'rgba(0, 0, 0, 0)', 'a merge cell has a background in the dark theme too');
        agent.end();

        // 30 tasks: the grid scrolls under sticky headers.
        const many = Array.from({ length: 26 }, (_, i) => `  - {id: t${String(i).padStart(2, '0')}, title: "Task ${i}", prompt: p, scope: ["src/api/**"]}`).join('\n');
        fs.appendFileSync(path.join(repo.root, '.lockstep/plan.yaml'), `${many}\n`);
        await f.locator('#matrix .row-head .row-id', { hasText: 't25' }).waitFor({ timeout: 30_000 });
        assert.equal(await f.locator('#matrix tbody tr').count(), 30);
        await f.locator('#grid-scroll').evaluate((e) => {
          e.scrollTop = e.scrollHeight;
          e.scrollLeft = e.scrollWidth;
        });
        const box = await f.locator('#grid-scroll').boundingBox();
        const head = await f.locator('#matrix .col-head').last().boundingBox();
        const rowHead = await f.locator('#matrix .row-head').last().boundingBox();
        assert.ok(box && head && rowHead);
        assert.ok(Math.abs(head.y - box.y) < 3, `the column headers stay at the top (${head.y} vs ${box.y})`);
        assert.ok(Math.abs(rowHead.x - box.x) < 3, `the row headers stay at the left (${rowHead.x} vs ${box.x})`);
        await wb.screenshot('matrix-5-dark-30-tasks-scrolled');
      },
    );
  } finally {
    repo.cleanup();
  }
});
