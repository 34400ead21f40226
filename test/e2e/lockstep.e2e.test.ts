// Lockstep in a real VS Code (code-server in Chromium): simulated agents in other processes take and
// release leases through their real hooks, and the test asserts what a person sees — explorer badges,
// the mark at the top of a held file, the status bar, the Sessions & Locks tree — and that a file the
// user claims is denied to an agent. Screenshots of each state go to test-artifacts/e2e/.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { projectRoot, withWorkbench, type Workbench, waitFor } from './harness';
import { claudeSession, codexSession } from './support/agentHooks';
import { makeTempRepo } from '../helpers/tempRepo';

const vsix = process.env.LOCKSTEP_E2E_VSIX ?? path.join(projectRoot, 'dist/lockstep.vsix');

async function codeLensTexts(wb: Workbench): Promise<string[]> {
  return wb.page.evaluate(() => Array.from(document.querySelectorAll('.codelens-decoration')).map((e) => (e.textContent ?? '').trim()));
}

test('agents contending through hooks show up live in the workbench, and a claim denies agents', { timeout: 420_000 }, async (t) => {
  assert.ok(fs.existsSync(vsix), `${vsix} is missing: run npm run package`);
  const repo = makeTempRepo({
    files: {
      'README.md': '# sample\n',
      'src/api.ts': 'export const api = 1;\n',
      'src/ui.ts': 'export const ui = 1;\n',
      'src/db.ts': 'export const db = 1;\n',
    },
  });
  const wtB = repo.addWorktree('wt-codex', 'agent-b');
  try {
    await withWorkbench({ vsix, folder: repo.root, name: 'lockstep', settings: { 'lockstep.userName': 'tester', 'editor.codeLens': true } }, async (wb) => {
      t.diagnostic(`startup: ${JSON.stringify(wb.timings)}`);
      await wb.waitForStatusBar(/0 locks/, 90_000);
      const welcome = await wb.viewWelcomeText('Sessions & Locks');
      assert.match(welcome, /Install Agent Hooks/);
      await wb.screenshot('lockstep-0-empty');

      // Agent A (Claude Code, main checkout) edits src/api.ts: allowed, badge appears.
      const a = claudeSession('agent-a-1111', repo.root);
      assert.deepEqual(a.start(), { allowed: true, reason: '' });
      const pre = a.preEdit('src/api.ts');
      assert.equal(pre.allowed, true, pre.reason);
      fs.appendFileSync(path.join(repo.root, 'src/api.ts'), '// edited by agent a\n');
      a.postEdit('src/api.ts');
      repo.git('commit', '-q', '-am', 'agent a: api'); // agents commit their work

      await wb.runCommand('View: Show Explorer');
      await wb.revealInExplorer('src/api.ts');
      const badge = await wb.waitForExplorerBadge('src/api.ts', 'L');
      assert.match(badge.tooltip ?? '', /Held by claude session agent-a-/);
      assert.match(badge.tooltip ?? '', /agent: claude/);
      assert.match(badge.tooltip ?? '', /more minutes/);
      const item = await wb.waitForStatusBar(/1 lock .*1 session/);
      assert.match(item.text, /1 lock/);

      // Agent B (Codex, another worktree) wants the same logical file: denied with the reason.
      const b = codexSession('agent-b-2222', wtB);
      const denied = b.preEdit('src/api.ts');
      assert.equal(denied.allowed, false);
      assert.match(denied.reason, /src\/api\.ts is held by claude session agent-a-/);

      // The held file, opened: a lens at the top names the holder and offers actions.
      await wb.openFile('src/api.ts');
      const lenses = await waitFor('code lens on src/api.ts', () => codeLensTexts(wb), (l) => l.some((x) => /Held by claude session agent-a-/.test(x)));
      assert.ok(lenses.some((x) => /Force Release/.test(x)), `lenses: ${lenses.join(' | ')}`);
      const lines = await wb.editorLines();
      assert.ok(lines[0]!.overlays.some((c) => /\bced-/.test(c)), 'line 1 carries the held-file mark');
      // Typing in a file an agent holds warns once, clearly.
      await wb.page.locator('.monaco-editor .view-lines').first().click();
      await wb.page.keyboard.type('x');
      await wb.waitForNotification(/src\/api\.ts: Held by claude session agent-a-.*may conflict/);
      await wb.page.keyboard.press('Control+Z');

      const tree = await wb.waitForTreeItems('Sessions & Locks', (items) => items.some((i) => /claude session agent-a-/.test(i.label)) && items.some((i) => i.label === 'src/api.ts'));
      assert.ok(tree.find((i) => i.label === 'src/api.ts')!.description.startsWith('locked'));
      const summary = await wb.page.locator('.pane-header', { hasText: /Sessions & Locks/i }).locator('.description').first().textContent();
      assert.match(summary ?? '', /^\d+ live · 1 lock$/, 'the view header counts locks in words');
      await wb.screenshot('lockstep-1-held-by-agent');

      // The user claims src/ui.ts: badge C, and agent B is denied it.
      await wb.openFile('src/ui.ts');
      await wb.runCommand('Lockstep: Claim File for Me');
      await wb.runCommand('View: Show Explorer');
      await wb.revealInExplorer('src/ui.ts');
      await wb.waitForExplorerBadge('src/ui.ts', 'C');
      const deniedClaim = b.preEdit('src/ui.ts');
      assert.equal(deniedClaim.allowed, false);
      assert.match(deniedClaim.reason, /src\/ui\.ts is held by the user \(vscode:tester\)/);
      await wb.screenshot('lockstep-2-claimed-by-user');

      // A write that escaped the hooks (a shell command): an unleased edit, and the status bar warns.
      fs.appendFileSync(path.join(repo.root, 'src/db.ts'), '// written by a shell command\n');
      // Lockstep's U!, shown beside git's own M once the git extension has noticed the change too.
      const unleased = await wb.waitForExplorerBadge('src/db.ts', /(^|, )U!$/);
      assert.match(unleased.tooltip ?? '', /unleased edit/);
      await wb.waitForStatusBar(/1 unleased/);
      await wb.screenshot('lockstep-3-unleased-edit');

      // Agent A writes src/notes.ts through its hooks and does not commit it.
      assert.equal(a.preEdit('src/notes.ts').allowed, true);
      fs.writeFileSync(path.join(repo.root, 'src/notes.ts'), '// notes by agent a\n');
      a.postEdit('src/notes.ts');

      // Agent A's session ends: its lease is released and the badge disappears.
      a.end();
      await wb.runCommand('View: Show Explorer');
      await wb.revealInExplorer('src/api.ts');
      await wb.waitForNoExplorerBadge('src/api.ts');
      const after = b.preEdit('src/api.ts');
      assert.equal(after.allowed, true, after.reason);
      await wb.screenshot('lockstep-4-released');

      // What it left uncommitted is its own work, not a write that escaped the hooks.
      await wb.revealInExplorer('src/notes.ts');
      const left = await wb.waitForExplorerBadge('src/notes.ts', /(^|, )E$/); // beside git's own U
      assert.match(left.tooltip ?? '', /uncommitted work \(untracked\) of ended session claude session agent-a-.*not an escape/);
      await wb.waitForStatusBar(/1 unleased/); // src/db.ts only
      const ended = await wb.waitForTreeItems('Sessions & Locks', (items) => items.some((i) => i.label === 'src/notes.ts'));
      assert.match(ended.find((i) => i.label === 'src/notes.ts')!.description, /uncommitted untracked · left when the session ended/);
      await wb.screenshot('lockstep-5-ended-session-work');
    });
  } finally {
    repo.cleanup();
  }
});
