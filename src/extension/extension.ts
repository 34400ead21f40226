// Activation only wires: everything lives in LockstepContext. Errors are shown, not swallowed.
// The returned object is the extension-host tests' window onto the activation (testApi.ts).
import * as vscode from 'vscode';
import { LockstepContext } from './lockstepContext';
import { testApi, type LockstepTestApi } from './testApi';

let ctx: LockstepContext | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<LockstepTestApi> {
  try {
    ctx = new LockstepContext(context);
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
