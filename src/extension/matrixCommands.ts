// Conflict matrix commands: show the panel (palette, status bar tooltip, scheduler view title) and
// apply the suggested waves as phases. The panel is one per activation, created on first use;
// `matrixDisposable(ctx)` lets the activation own it (and registers the `lockstep-git:` documents early).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ApplyWavesResult, matrixRequests } from '../protocol/matrixMethods';
import type { CommandSpec } from './commands';
import type { LockstepContext } from './lockstepContext';
import { MatrixPanel } from './matrixPanel';
import { plural } from '../core/plural';

const panels = new WeakMap<LockstepContext, MatrixPanel>();

/** The activation's matrix panel (created, not shown, on first use). */
export function matrixPanel(ctx: LockstepContext): MatrixPanel {
  let p = panels.get(ctx);
  if (!p) {
    p = new MatrixPanel(ctx);
    panels.set(ctx, p);
  }
  return p;
}

/** For LockstepContext's disposables: owns the panel and the `lockstep-git:` content provider. */
export function matrixDisposable(ctx: LockstepContext): vscode.Disposable {
  const p = matrixPanel(ctx);
  return new vscode.Disposable(() => {
    p.dispose();
    panels.delete(ctx);
  });
}

export const matrixCommandTable: Record<string, CommandSpec> = {
  'lockstep.showMatrix': {
    // The panel itself says when the coordinator is not running.
    needsServer: false,
    run(ctx) {
      matrixPanel(ctx).show();
    },
  },
  'lockstep.applySuggestedWaves': {
    needsServer: true,
    async run(ctx) {
      const ok = await vscode.window.showWarningMessage(
        'Rewrite the phases of every task in the plan with the suggested waves (tasks whose scopes overlap go to different phases)?',
        { modal: true },
        'Apply Waves',
      );
      if (ok !== 'Apply Waves') return;
      const r = ApplyWavesResult.parse(await ctx.client!.sendRequest(matrixRequests.applyWaves.method, {}));
      void vscode.window.showInformationMessage(`Lockstep: ${path.basename(r.file)} now has ${plural(r.waves.length, 'phase')}: ${r.waves.map((w, i) => `${i + 1}: ${w.join(', ')}`).join(' · ')}.`);
    },
  },
};
