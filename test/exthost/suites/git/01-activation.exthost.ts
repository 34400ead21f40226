// Activation in a git repository: the coordinator starts and every contributed command is registered.
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import * as vscode from 'vscode';
import { activate, contributedCommands, extension, isAlive, waitFor, workspaceRoot } from '../../support/lockstep';

describe('activation in a git repository', () => {
  it('activates on the workspace and starts the coordinator', async () => {
    assert.ok(extension().packageJSON.activationEvents.includes('workspaceContains:.git'));
    const api = await activate();
    assert.ok(extension().isActive);
    await waitFor('the coordinator to run', async () => api.serverState(), (s) => s === 'running', 60_000);
    const pid = api.coordinatorPid();
    assert.ok(pid && isAlive(pid), `coordinator pid ${pid} is a live process`);
    assert.notEqual(pid, process.pid, 'the coordinator runs in its own process');
    assert.ok(workspaceRoot());
  });

  it('registers every command package.json contributes', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const contributed = contributedCommands();
    assert.ok(contributed.length >= 10, `package.json lists ${contributed.length} commands`);
    assert.deepEqual(contributed.filter((c) => !registered.has(c)), [], 'contributed but not registered');
  });
});
