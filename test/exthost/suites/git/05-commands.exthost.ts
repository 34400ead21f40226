// Every command package.json contributes (read at run time, so new ones are covered) runs to completion
// with the coordinator running; prompts are answered like pressing Escape.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import type { LockstepTestApi } from '../../../../src/extension/testApi';
import { activate, contributedCommands, fileUri, runCommand, waitFor, workspaceRoot } from '../../support/lockstep';
import { UiStub } from '../../support/ui';

describe('every contributed command, coordinator running', () => {
  const ui = new UiStub();
  let api: LockstepTestApi;

  before(async () => {
    api = await activate();
    ui.install();
    await waitFor('the coordinator to run', async () => api.serverState(), (s) => s === 'running', 60_000);
  });
  after(async () => {
    ui.restore();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(path.join(workspaceRoot(), '.lockstep'), { recursive: true, force: true });
  });

  it('runs each one without an error', async () => {
    await vscode.window.showTextDocument(fileUri('src/a.ts')); // the file claim/release/open act on
    const ran: string[] = [];
    for (const id of contributedCommands()) {
      const from = ui.messages.length;
      await runCommand(id);
      const errors = ui.since(from).filter((m) => m.kind === 'error');
      assert.deepEqual(errors, [], `${id} showed an error`);
      if (id === 'lockstep.restartServer') assert.equal(api.serverState(), 'running');
      ran.push(id);
    }
    assert.deepEqual(ran, contributedCommands());
    // A few commands' visible effects, so "ran" means more than "returned".
    assert.ok(ui.messages.some((m) => /src\/a\.ts is yours/.test(m.text)), 'Claim File for Me claimed the active file');
    assert.ok(ui.messages.some((m) => /released src\/a\.ts/.test(m.text)), 'Release File released it');
    assert.ok(fs.existsSync(path.join(workspaceRoot(), '.lockstep', 'plan.yaml')), 'Create a Plan wrote .lockstep/plan.yaml');
    assert.ok(ui.prompts.some((p) => p.kind === 'quickPick'), 'commands that ask asked');
  });
});
