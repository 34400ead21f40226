// Deactivation (what VS Code calls when the extension host shuts down or the extension is disabled)
// releases every registration and stops the coordinator; activating again then registers everything
// anew (registerCommand throws for an id that is still registered) and starts a new coordinator.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'mocha';
import * as vscode from 'vscode';
import type { LockstepTestApi } from '../../../../src/extension/testApi';
import { activate, contributedCommands, extension, isAlive, waitFor } from '../../support/lockstep';

interface ExtensionModule {
  activate(context: vscode.ExtensionContext): Promise<LockstepTestApi>;
  deactivate(): Promise<void>;
}

describe('deactivation', () => {
  it('disposes every registration and stops the coordinator; activating again works', async () => {
    const api = await activate();
    const pid = await waitFor('the coordinator to run', async () => api.coordinatorPid(), (p) => p !== undefined, 60_000);
    const main = path.join(extension().extensionPath, extension().packageJSON.main as string);
    // The module the extension host loaded (Node's require cache is shared within the host).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(main) as ExtensionModule;

    await mod.deactivate();
    const contributed = new Set(contributedCommands());
    const left = (await vscode.commands.getCommands(true)).filter((c) => contributed.has(c));
    assert.deepEqual(left, [], 'commands still registered after deactivate');
    await waitFor('the coordinator process to exit', async () => isAlive(pid!), (alive) => !alive);

    const ext = extension();
    const context = { extensionPath: ext.extensionPath, extensionUri: ext.extensionUri, subscriptions: [], asAbsolutePath: (p: string) => path.join(ext.extensionPath, p) };
    const again = await mod.activate(context as unknown as vscode.ExtensionContext);
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual([...contributed].filter((c) => !registered.has(c)), []);
    const next = await waitFor('a new coordinator', async () => again.coordinatorPid(), (p) => p !== undefined, 60_000);
    assert.notEqual(next, pid);
    assert.equal(again.serverState(), 'running');
  });
});
