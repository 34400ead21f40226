// Settings are read through the typed config (src/extension/config.ts) and take effect live.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import type { LockstepTestApi } from '../../../../src/extension/testApi';
import { activate, claim, fileUri, lockstep, release, setSetting, waitFor } from '../../support/lockstep';
import { UiStub } from '../../support/ui';

describe('settings', () => {
  const ui = new UiStub();
  let api: LockstepTestApi;
  const held = fileUri('src/a.ts');

  before(async () => {
    api = await activate();
    ui.install();
    await waitFor('the coordinator to run', async () => api.serverState(), (s) => s === 'running', 60_000);
    claim('codex:bob', 'src/a.ts');
    await waitFor('the held badge on src/a.ts', async () => api.fileDecoration(held), (d) => d?.badge === 'L');
  });
  after(async () => {
    for (const key of ['decorations.explorer', 'decorations.editor', 'lease.ttlSeconds', 'claimTtlSeconds']) await setSetting(key, undefined);
    ui.restore();
    release('codex:bob');
    lockstep('config', '--ttl', '900');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('reads the defaults package.json declares', () => {
    const s = api.settings();
    const declared = vscode.extensions.getExtension('lockstep-dev.lockstep')!.packageJSON.contributes.configuration.properties;
    assert.equal(s.ttlSeconds, declared['lockstep.lease.ttlSeconds'].default);
    assert.equal(s.claimTtlSeconds, declared['lockstep.claimTtlSeconds'].default);
    assert.equal(s.scopePolicy, declared['lockstep.scopePolicy'].default);
    assert.equal(s.failOpen, false);
    assert.equal(s.explorerDecorations, true);
    assert.equal(s.editorDecorations, true);
    assert.match(s.userSessionId, /^vscode:[\w.@-]+$/);
  });

  it('turns explorer badges off and on without a reload', async () => {
    await setSetting('decorations.explorer', false);
    await waitFor('explorerDecorations off', async () => api.settings().explorerDecorations, (v) => v === false);
    assert.equal(api.fileDecoration(held), undefined);
    await setSetting('decorations.explorer', undefined);
    await waitFor('the badge back', async () => api.fileDecoration(held), (d) => d?.badge === 'L');
  });

  it('turns editor marks off and on without a reload', async () => {
    await vscode.window.showTextDocument(held);
    await waitFor('the mark in the editor', async () => api.editorMarked(held), Boolean);
    await setSetting('decorations.editor', false);
    await waitFor('the mark gone', async () => api.editorMarked(held), (m) => !m);
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', held)) ?? [];
    assert.deepEqual(lenses.filter((l) => l.command?.command.startsWith('lockstep.')), []);
    await setSetting('decorations.editor', undefined);
    await waitFor('the mark back', async () => api.editorMarked(held), Boolean);
  });

  it('says once, in one line, that a value is invalid and uses its default', async () => {
    await setSetting('claimTtlSeconds', 3600);
    await waitFor('claimTtlSeconds 3600', async () => api.settings().claimTtlSeconds, (v) => v === 3600);
    const from = ui.messages.length;
    await setSetting('claimTtlSeconds', 5); // below the minimum of 60
    const msgs = await waitFor('a warning about claimTtlSeconds', async () => ui.since(from), (m) => m.some((x) => /claimTtlSeconds/.test(x.text)));
    const warning = msgs.find((x) => /claimTtlSeconds/.test(x.text))!;
    assert.equal(warning.kind, 'warning');
    assert.match(warning.text, /^Lockstep: setting lockstep\.claimTtlSeconds is invalid \(.+\); using its default\.$/);
    assert.equal(api.settings().claimTtlSeconds, 28_800);
  });

  it('pushes a repository-wide setting to the store the hooks read', async () => {
    await setSetting('lease.ttlSeconds', 600);
    await waitFor('ttlSeconds 600 in the settings', async () => api.settings().ttlSeconds, (v) => v === 600);
    const stored = await waitFor(
      'lockstep config to show ttlSeconds 600',
      async () => JSON.parse(lockstep('config', '--json')) as { config: { ttlSeconds: number } },
      (r) => r.config.ttlSeconds === 600,
    );
    assert.equal(stored.config.ttlSeconds, 600);
  });
});
