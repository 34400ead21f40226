// A file held by another session (claimed with the real CLI) gets its explorer/tab badge and the mark at
// the top of its editor (whole-line decoration and CodeLens); the user's own claim gets its own badge and
// no mark; releasing clears both.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import type { LockstepTestApi } from '../../../../src/extension/testApi';
import { activate, claim, fileUri, release, runCommand, waitFor } from '../../support/lockstep';
import { UiStub } from '../../support/ui';

async function lockstepLenses(uri: vscode.Uri): Promise<vscode.CodeLens[]> {
  const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
  return lenses.filter((l) => l.command?.command.startsWith('lockstep.'));
}

describe('file decorations and editor marks', () => {
  const ui = new UiStub();
  let api: LockstepTestApi;
  const held = fileUri('src/a.ts');
  const free = fileUri('src/b.ts');

  before(async () => {
    api = await activate();
    ui.install();
    await waitFor('the coordinator to run', async () => api.serverState(), (s) => s === 'running', 60_000);
  });
  after(async () => {
    ui.restore();
    release('codex:bob');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it("badges a file another session holds and marks the top of its editor", async () => {
    assert.equal(api.fileDecoration(held), undefined, 'no badge before the claim');
    claim('codex:bob', 'src/a.ts');
    const deco = await waitFor('the held badge on src/a.ts', async () => api.fileDecoration(held), (d) => d?.badge === 'L');
    assert.match(String(deco!.tooltip), /codex/);
    assert.ok(deco!.color instanceof vscode.ThemeColor);
    assert.equal(api.fileDecoration(free), undefined, 'src/b.ts is not held');

    await vscode.window.showTextDocument(held);
    await waitFor('the mark in the editor of src/a.ts', async () => api.editorMarked(held), Boolean);
    const lenses = await waitFor('Lockstep code lenses on src/a.ts', () => lockstepLenses(held), (l) => l.length > 0);
    assert.ok(lenses.every((l) => l.range.start.line === 0), 'the lenses sit on the first line');
    assert.ok(lenses.some((l) => /codex/.test(l.command!.title)), `a lens names the holder: ${lenses.map((l) => l.command!.title).join(' | ')}`);
    const force = lenses.find((l) => l.command!.command === 'lockstep.forceRelease');
    assert.deepEqual(force?.command?.arguments, ['src/a.ts']);

    await vscode.window.showTextDocument(free);
    assert.equal(api.editorMarked(free), false);
    assert.deepEqual(await lockstepLenses(free), []);
  });

  it("badges the user's own claim differently and does not mark its editor", async () => {
    await runCommand('lockstep.claimFile', free);
    assert.ok(ui.messages.some((m) => m.kind === 'info' && /src\/b\.ts is yours/.test(m.text)), JSON.stringify(ui.messages));
    const mine = await waitFor('the claimed badge on src/b.ts', async () => api.fileDecoration(free), (d) => d?.badge === 'C');
    assert.notDeepEqual(mine!.color, api.fileDecoration(held)!.color);
    await vscode.window.showTextDocument(free);
    assert.equal(api.editorMarked(free), false, 'your own claim is not marked as held');
    assert.deepEqual(await lockstepLenses(free), []);
    await runCommand('lockstep.releaseFile', free);
    await waitFor('no badge on src/b.ts', async () => api.fileDecoration(free), (d) => d === undefined);
  });

  it('clears the badge and the mark when the holder releases', async () => {
    await vscode.window.showTextDocument(held);
    await waitFor('the mark in the editor of src/a.ts', async () => api.editorMarked(held), Boolean);
    release('codex:bob', 'src/a.ts');
    await waitFor('no badge on src/a.ts', async () => api.fileDecoration(held), (d) => d === undefined);
    await waitFor('no mark in the editor of src/a.ts', async () => api.editorMarked(held), (m) => !m);
    assert.deepEqual(await lockstepLenses(held), []);
  });
});
