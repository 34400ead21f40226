// What activate() returns: a small read-only window onto one activation, for the extension-host test
// suite (test/exthost). VS Code has no API to read back file decorations, editor decorations or a
// tree view's items, so the suite asks the providers themselves. Other extensions must not rely on it.
import type * as vscode from 'vscode';
import type { LockstepContext } from './lockstepContext';
import type { ServerState } from './statusBar';

export interface LockstepSettings {
  ttlSeconds: number;
  failOpen: boolean;
  scopePolicy: 'deny' | 'warn' | 'off';
  explorerDecorations: boolean;
  editorDecorations: boolean;
  diagnostics: boolean;
  claimTtlSeconds: number;
  userSessionId: string;
}

export interface LockstepTestApi {
  /** starting | running | stopped | notGit, as the status bar and the views' welcome content show it. */
  serverState(): ServerState;
  /** The coordinator's process id while it runs. */
  coordinatorPid(): number | undefined;
  /** The settings as the extension read them through its typed config (defaults for invalid values). */
  settings(): LockstepSettings;
  /** The badge the explorer and tabs show for `uri` (what VS Code asks the FileDecorationProvider). */
  fileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined;
  /** Whether a visible editor of `uri` carries the held-by-another-session mark on its first line. */
  editorMarked(uri: vscode.Uri): boolean;
  /** The plan file the scheduler reads (known once the coordinator answered). */
  planFile(): string | undefined;
  /** The providers behind the Sessions & Locks and Scheduler views. */
  sessionsTree: vscode.TreeDataProvider<unknown>;
  schedulerTree: vscode.TreeDataProvider<unknown>;
  /** The provider behind the Decision Log view. */
  decisionLogTree: vscode.TreeDataProvider<unknown>;
  /** The status bar item's text and tooltip (plain text), as the user sees them. */
  statusBar(): { text: string; tooltip: string };
}

export function testApi(ctx: LockstepContext): LockstepTestApi {
  return {
    serverState: () => ctx.serverState,
    coordinatorPid: () => (ctx.client?.running ? ctx.client.serverPid : undefined),
    settings: () => ({
      ttlSeconds: ctx.config.ttlSeconds,
      failOpen: ctx.config.failOpen,
      scopePolicy: ctx.config.scopePolicy,
      explorerDecorations: ctx.config.explorerDecorations,
      editorDecorations: ctx.config.editorDecorations,
      diagnostics: ctx.config.diagnostics,
      claimTtlSeconds: ctx.config.claimTtlSeconds,
      userSessionId: ctx.config.userSessionId,
    }),
    fileDecoration: (uri) => ctx.fileDecorations.provideFileDecoration(uri),
    editorMarked: (uri) => ctx.editorMarks.isMarked(uri),
    planFile: () => ctx.scheduler.current?.plan.file,
    sessionsTree: ctx.sessionsTree as vscode.TreeDataProvider<unknown>,
    schedulerTree: ctx.schedulerTree as vscode.TreeDataProvider<unknown>,
    decisionLogTree: ctx.decisionLogTree as vscode.TreeDataProvider<unknown>,
    statusBar: () => ctx.statusBar.shown,
  };
}
