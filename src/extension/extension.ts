// Activation only wires: everything lives in LockstepContext. Errors are shown, not swallowed.
import * as vscode from 'vscode';
import { LockstepContext } from './lockstepContext';

let ctx: LockstepContext | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  try {
    ctx = new LockstepContext(context);
    await ctx.start();
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
