// Activation in a folder that is not a git repository: Lockstep stays idle (no coordinator), every
// contributed command is registered and runs, and the ones that need the coordinator say it is not
// running and offer the log and a restart.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import type { LockstepTestApi } from '../../../../src/extension/testApi';
import { activate, contributedCommands, runCommand, workspaceRoot } from '../../support/lockstep';
import { UiStub } from '../../support/ui';

const NOT_RUNNING = /^Lockstep: the coordinator is not running/;

describe('activation in a folder that is not a git repository', () => {
  const ui = new UiStub();
  let api: LockstepTestApi;

  before(async () => {
    assert.throws(() => execFileSync('git', ['rev-parse', '--git-dir'], { cwd: workspaceRoot(), stdio: 'pipe' }), 'the folder is not in a git repository');
    ui.install();
    api = await activate();
  });
  after(() => ui.restore());

  it('activates idle: no coordinator', () => {
    assert.equal(api.serverState(), 'notGit');
    assert.equal(api.coordinatorPid(), undefined);
  });

  it('registers every command package.json contributes', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(contributedCommands().filter((c) => !registered.has(c)), []);
  });

  it('runs every command; those that need the coordinator say it is not running', async () => {
    const notRunning: string[] = [];
    for (const id of contributedCommands()) {
      const from = ui.messages.length;
      await runCommand(id);
      const errors = ui.since(from).filter((m) => m.kind === 'error');
      for (const e of errors) {
        assert.match(e.text, NOT_RUNNING, `${id} showed another error`);
        assert.deepEqual(e.buttons, ['Show Log', 'Restart Coordinator']);
      }
      if (errors.length) notRunning.push(id);
    }
    for (const id of ['lockstep.claimFile', 'lockstep.releaseFile', 'lockstep.doctor', 'lockstep.installHooks']) {
      assert.ok(notRunning.includes(id), `${id} said the coordinator is not running (those that did: ${notRunning.join(', ')})`);
    }
    assert.equal(api.serverState(), 'notGit', 'Restart Coordinator leaves a non-git folder idle');
  });

  it("answering 'Restart Coordinator' tries again and stays idle", async () => {
    ui.answer = (m) => (NOT_RUNNING.test(m.text) ? 'Restart Coordinator' : undefined);
    await runCommand('lockstep.claimFile');
    assert.equal(api.serverState(), 'notGit');
    assert.equal(api.coordinatorPid(), undefined);
  });
});
