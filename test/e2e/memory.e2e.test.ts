// The decision log and messages in a real VS Code (code-server in Chromium): notes an agent's session
// and a person write with the CLI appear live in the Decision Log view, newest first, with who, task
// and when; "Lockstep: Send Message to Session…" (palette → pick the agent → type) puts the message
// in the agent's mailbox, the Sessions view says it waits, and the agent's `lockstep inbox` has it.
// Screenshots in test-artifacts/e2e/ (memory-1-decision-log is the README's picture).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { projectRoot, withWorkbench, type Workbench } from './harness';
import { claudeSession } from './support/agentHooks';
import { runCli } from '../helpers/cli';
import { makeTempRepo } from '../helpers/tempRepo';

const vsix = process.env.LOCKSTEP_E2E_VSIX ?? path.join(projectRoot, 'dist/lockstep.vsix');

async function pickRow(wb: Workbench, label: RegExp): Promise<void> {
  const row = wb.page.locator('.quick-input-widget .monaco-list-row').filter({ has: wb.page.locator('.label-name', { hasText: label }) }).first();
  await row.waitFor({ state: 'visible', timeout: 20_000 });
  await row.click();
}

/** For the picture: a sidebar wide enough for each note's who, task and when, the Scheduler view folded. */
async function showWide(wb: Workbench): Promise<void> {
  const sidebar = await wb.page.locator('.part.sidebar').boundingBox();
  assert.ok(sidebar, 'the sidebar is shown');
  const edge = sidebar.x + sidebar.width;
  await wb.page.mouse.move(edge - 1, sidebar.y + sidebar.height / 2);
  await wb.page.mouse.down();
  await wb.page.mouse.move(edge + 480, sidebar.y + sidebar.height / 2, { steps: 10 });
  await wb.page.mouse.up();
  const scheduler = wb.page.locator('.pane-header', { hasText: /^Scheduler/i }).first();
  if ((await scheduler.getAttribute('aria-expanded')) === 'true') await scheduler.click();
  // Focus to the empty end of the Decision Log (no outline on the header, no row selected).
  const log = wb.page.locator('.pane', { has: wb.page.locator('.pane-header', { hasText: /^Decision Log/i }) }).locator('.pane-body').first();
  const body = await log.boundingBox();
  if (body) await wb.page.mouse.click(body.x + body.width / 2, body.y + body.height - 10);
  await wb.page.waitForTimeout(300); // the views' layout settles before the picture
}

test('the Decision Log shows notes live; a message sent from VS Code reaches the agent', { timeout: 420_000 }, async (t) => {
  assert.ok(fs.existsSync(vsix), `${vsix} is missing: run npm run package`);
  const repo = makeTempRepo({ prefix: 'lockstep-memory-e2e-', files: { 'README.md': '# shop\n', 'src/api.ts': 'export const api = 1;\n', 'src/ui.ts': 'export const ui = 1;\n' } });
  const lockstep = (...args: string[]) => lockstepAs('', ...args);
  /** As session `session` (LOCKSTEP_SESSION): only a session's own `lockstep inbox` marks its messages read. */
  const lockstepAs = (session: string, ...args: string[]) => {
    const r = runCli(args, { cwd: repo.root, env: { LOCKSTEP_SESSION: session, LOCKSTEP_TASK: '' } });
    assert.equal(r.status, 0, `lockstep ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  try {
    await withWorkbench({ vsix, folder: repo.root, name: 'memory', settings: { 'lockstep.userName': 'tester' } }, async (wb) => {
      t.diagnostic(`startup: ${JSON.stringify(wb.timings)}`);
      await wb.waitForStatusBar(/0 locks/, 90_000);
      assert.match(await wb.viewWelcomeText('Decision Log'), /No decisions yet/);

      // Two agents at work (through their real hooks), and decisions written with the CLI.
      const api = claudeSession('api-7f3c2a91', repo.root);
      const ui = claudeSession('ui-41be09d2', repo.root);
      for (const [agent, file] of [[api, 'src/api.ts'], [ui, 'src/ui.ts']] as const) {
        assert.deepEqual(agent.start(), { allowed: true, reason: '' });
        assert.equal(agent.preEdit(file).allowed, true);
      }
      lockstep('note', 'Dates are ISO 8601 strings in every API response', '--task', 'api', '--session', api.id);
      lockstep('note', 'Prices are integers in cents, never floats', '--task', 'api', '--session', api.id);
      lockstep('note', 'The cart page reads prices from /v2/prices only', '--task', 'ui', '--session', ui.id);
      lockstep('note', 'No new runtime dependencies without asking first', '--session', 'human:ann');
      const items = await wb.waitForTreeItems('Decision Log', (i) => i.length === 4);
      assert.deepEqual(items.map((i) => i.label), [
        'No new runtime dependencies without asking first',
        'The cart page reads prices from /v2/prices only',
        'Prices are integers in cents, never floats',
        'Dates are ISO 8601 strings in every API response',
      ]);
      assert.match(items[0]!.description, /^#4 · human:ann · \d/);
      assert.match(items[1]!.description, /^#3 · claude session ui-41be0 · task ui · \d/);
      const header = await wb.page.locator('.pane-header', { hasText: /Decision Log/i }).locator('.description').first().textContent();
      assert.equal(header, '4 notes');

      // Palette → pick the api agent → type the message → Enter.
      await wb.runCommand('Lockstep: Send Message to Session…').catch(() => undefined); // its pick stays open
      await pickRow(wb, /^claude session api-7f3c$/);
      const input = wb.page.locator('.quick-input-widget .quick-input-box input');
      await wb.page.locator('.quick-input-widget .quick-input-title', { hasText: /^Message to claude session api-7f3c/ }).waitFor({ state: 'visible', timeout: 20_000 });
      await input.fill('Keep the v1 endpoint until the UI task lands');
      await input.press('Enter');
      const sent = await wb.waitForNotification(/^Lockstep: sent #1 to claude:api-7f3c2a91/);
      assert.match(sent, /delivered with the agent's next tool call or prompt/);
      const sessions = await wb.waitForTreeItems('Sessions & Locks', (i) => /^1 message waiting · task|^1 message waiting/.test(i.find((x) => x.label === 'claude session api-7f3c')?.description ?? ''));
      assert.doesNotMatch(sessions.find((x) => x.label === 'claude session ui-41be0')?.description ?? '', /message/);
      await wb.page.keyboard.press('Escape'); // the notification toast out of the picture
      await showWide(wb);
      await wb.screenshot('memory-1-decision-log');

      // The agent's inbox has it, from the user's session; then nothing waits any more.
      const inbox = JSON.parse(lockstepAs(api.id, 'inbox', '--json')) as { messages: { from: string; text: string }[] };
      assert.deepEqual(inbox.messages.map((m) => [m.from, m.text]), [['vscode:tester', 'Keep the v1 endpoint until the UI task lands']]);
      await wb.waitForTreeItems('Sessions & Locks', (i) => !/message/.test(i.find((x) => x.label === 'claude session api-7f3c')?.description ?? 'message'));

      // A note from VS Code: Add Note… writes it as the user's session, on top of the log.
      await wb.runCommand('Lockstep: Add Note…').catch(() => undefined); // its input box stays open
      await wb.page.locator('.quick-input-widget .quick-input-title', { hasText: 'Add a decision to the log' }).waitFor({ state: 'visible', timeout: 20_000 });
      await input.fill('Release freeze from Friday: land nothing after 17:00');
      await input.press('Enter');
      const after = await wb.waitForTreeItems('Decision Log', (i) => i[0]?.label === 'Release freeze from Friday: land nothing after 17:00');
      assert.match(after[0]!.description, /^#5 · vscode:tester · \d/);
      await wb.screenshot('memory-2-note-added');
    });
  } finally {
    repo.cleanup();
  }
});
