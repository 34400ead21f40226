// Activation only wires: state lives in LockstepContext, the command tables depend on it, and their
// registration happens here, in one place (so the context imports no command). Errors are shown, not swallowed.
// The returned object is the extension-host tests' window onto the activation (testApi.ts).
import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { landingCommandTable } from './landingCommands';
import { landingQueueCommandTable, showQueueBatch } from './landingQueueCommands';
import { LockstepContext } from './lockstepContext';
import { matrixCommandTable, matrixDisposable } from './matrixCommands';
import { memoryCommandTable } from './memoryCommands';
import { schedulerCommandTable } from './schedulerCommands';
import { testApi, type LockstepTestApi } from './testApi';

let ctx: LockstepContext | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<LockstepTestApi> {
  try {
    ctx = new LockstepContext(context);
    ctx.own(...registerCommands(ctx, schedulerCommandTable, landingCommandTable, landingQueueCommandTable, matrixCommandTable, memoryCommandTable), matrixDisposable(ctx));
    const c = ctx;
    ctx.own(ctx.onLandingQueueBatch((b) => void showQueueBatch(c, b)));
    await ctx.start();
    return testApi(ctx);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    void vscode.window.showErrorMessage(`Lockstep failed to activate: ${msg}`);
    throw e;
  }
}

export async function deactivate(): Promise<void> {
  await ctx?.dispose();
  ctx = undefined;
}
