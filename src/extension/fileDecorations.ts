// Explorer and tab badges: held by another session, claimed by you, unleased edit (escaped the
// hooks), uncommitted work an ended session left.
// Only URIs whose mark changed are refreshed; time-left tooltips are refreshed once a minute.
import * as vscode from 'vscode';
import type { Config } from './config';
import type { FileMarkKind, LockState } from './lockState';
import { markTooltip } from './markWords';

const LOOK: Record<FileMarkKind, { badge: string; color: string }> = {
  other: { badge: 'L', color: 'lockstep.heldByOtherForeground' },
  mine: { badge: 'C', color: 'lockstep.heldByYouForeground' },
  unleased: { badge: 'U!', color: 'lockstep.unleasedEditForeground' },
  ended: { badge: 'E', color: 'lockstep.endedWorkForeground' },
};

export class LockFileDecorations implements vscode.FileDecorationProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.Uri[]>();
  readonly onDidChangeFileDecorations = this.emitter.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly state: LockState,
    private readonly config: Config,
  ) {
    this.disposables.push(
      this.emitter,
      state.onDidChange(({ changedUris }) => {
        if (changedUris.length) this.emitter.fire(changedUris);
      }),
      config.onDidChange(() => this.emitter.fire(state.allMarks().map((m) => m.uri))),
      vscode.window.registerFileDecorationProvider(this),
    );
    const timer = setInterval(() => {
      const held = state.allMarks().filter((m) => m.lease);
      if (held.length) this.emitter.fire(held.map((m) => m.uri));
    }, 60_000);
    this.disposables.push({ dispose: () => clearInterval(timer) });
  }

  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    if (!this.config.explorerDecorations) return undefined;
    const mark = this.state.markFor(uri);
    if (!mark) return undefined;
    const look = LOOK[mark.kind];
    const decoration = new vscode.FileDecoration(look.badge, markTooltip(mark), new vscode.ThemeColor(look.color));
    decoration.propagate = false;
    return decoration;
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
