// Marks inside an open editor whose file another session holds: a CodeLens at the top with who
// holds it and actions, a whole-line mark with gutter and overview-ruler colour, and a one-time
// warning when the user starts typing in it. (The hover comes from the coordinator over LSP.)
import * as vscode from 'vscode';
import type { Config } from './config';
import type { LockState } from './lockState';
import { leaseLine } from './markWords';

export class EditorMarks implements vscode.CodeLensProvider, vscode.Disposable {
  // Created once (decorator-sample): recreating types per update leaks and flickers.
  private readonly heldType = vscode.window.createTextEditorDecorationType({
    isWholeLine: true,
    backgroundColor: new vscode.ThemeColor('lockstep.heldByOtherBackground'),
    overviewRulerColor: new vscode.ThemeColor('lockstep.heldByOtherForeground'),
    overviewRulerLane: vscode.OverviewRulerLane.Full,
    borderColor: new vscode.ThemeColor('lockstep.heldByOtherForeground'),
    borderStyle: 'solid',
    borderWidth: '0 0 0 3px',
  });
  private readonly lensEmitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.lensEmitter.event;
  private readonly warned = new Set<string>();
  private readonly disposables: vscode.Disposable[] = [];
  private refreshTimer: NodeJS.Timeout | undefined;
  /** URIs of the visible editors that carry the held-file mark now (VS Code has no getter for decorations). */
  private readonly marked = new Set<string>();

  constructor(
    private readonly state: LockState,
    private readonly config: Config,
  ) {
    this.disposables.push(
      this.heldType,
      this.lensEmitter,
      vscode.languages.registerCodeLensProvider({ scheme: 'file' }, this),
      state.onDidChange(() => this.scheduleRefresh()),
      config.onDidChange(() => this.scheduleRefresh()),
      vscode.window.onDidChangeVisibleTextEditors(() => this.scheduleRefresh()),
      vscode.workspace.onDidChangeTextDocument((e) => this.onTyping(e)),
    );
  }

  /** Debounced: a burst of deltas repaints once. */
  private scheduleRefresh(): void {
    if (this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      this.refresh();
    }, 30);
  }

  private refresh(): void {
    this.marked.clear();
    for (const editor of vscode.window.visibleTextEditors) {
      const held = this.config.editorDecorations ? this.heldBy(editor.document.uri) : undefined;
      const range = new vscode.Range(0, 0, 0, 0);
      editor.setDecorations(this.heldType, held ? [{ range, hoverMessage: held.line }] : []);
      if (held) this.marked.add(editor.document.uri.toString());
    }
    this.lensEmitter.fire();
  }

  /** Whether a visible editor of `uri` carries the held-file mark (for the extension-host tests). */
  isMarked(uri: vscode.Uri): boolean {
    return this.marked.has(uri.toString());
  }

  private heldBy(uri: vscode.Uri): { key: string; line: string; session: string; fence: number } | undefined {
    const key = this.state.keyOf(uri);
    if (!key) return undefined;
    const lease = this.state.leaseByOther(key);
    if (!lease) return undefined;
    const mark = { kind: 'other' as const, key, uri, lease, holder: this.state.session(lease.session) };
    return { key, line: leaseLine(mark), session: lease.session, fence: lease.fence };
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!this.config.editorDecorations) return [];
    const held = this.heldBy(document.uri);
    if (!held) return [];
    const range = new vscode.Range(0, 0, 0, 0);
    return [
      new vscode.CodeLens(range, { title: `$(lock) ${held.line}`, command: 'lockstep.showSessions', tooltip: 'Show who holds which file' }),
      new vscode.CodeLens(range, { title: 'Force Release', command: 'lockstep.forceRelease', arguments: [held.key] }),
      new vscode.CodeLens(range, { title: 'Open Session Worktree', command: 'lockstep.openSessionWorktree', arguments: [held.session] }),
    ];
  }

  /** Warn once per lease when the user types in a file an agent holds. */
  private onTyping(e: vscode.TextDocumentChangeEvent): void {
    if (e.contentChanges.length === 0) return;
    const active = vscode.window.activeTextEditor;
    if (!active || active.document !== e.document) return;
    const held = this.heldBy(e.document.uri);
    if (!held) return;
    const id = `${held.key}#${held.fence}`;
    if (this.warned.has(id)) return;
    this.warned.add(id);
    void vscode.window
      .showWarningMessage(`${held.key}: ${held.line}. Your edits here may conflict with that session's work.`, 'Force Release…', 'Show Sessions')
      .then((choice) => {
        if (choice === 'Force Release…') void vscode.commands.executeCommand('lockstep.forceRelease', held.key);
        if (choice === 'Show Sessions') void vscode.commands.executeCommand('lockstep.showSessions');
      });
  }

  dispose(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.marked.clear();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
