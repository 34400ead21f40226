// The conflict matrix webview panel: shows the server's MatrixState (pushed as
// `lockstep/matrixChanged`), answers the page's requests (the files of a cell, open a file, diff it
// between two branches, serialize two tasks through the scheduler's updateTask, apply suggested
// waves, message a task's agent or a session). Messages both ways are zod-validated discriminated unions; the page posts `ready` first.
// Also serves `lockstep-git:` documents (a file's content on a branch, read-only) for the diffs.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  FromWebview,
  GitShowResult,
  MATRIX_CHANGED,
  MatrixCellDetail,
  MatrixState,
  ApplyWavesResult,
  describeMessageError,
  matrixRequests,
  type ToWebview,
} from '../protocol/matrixMethods';
import type { CoordinatorClient } from './coordinatorClient';
import { sendMessageTo } from './memoryCommands';
import type { LockstepContext } from './lockstepContext';
import { plural } from '../core/plural';

export const MATRIX_VIEW_TYPE = 'lockstep.matrix';
export const GIT_SCHEME = 'lockstep-git';

/** A read-only document of `path` as it is on `rev` (a branch or commit). */
export function gitDocumentUri(rev: string, key: string): vscode.Uri {
  return vscode.Uri.from({ scheme: GIT_SCHEME, path: `/${key}`, query: new URLSearchParams({ rev }).toString() });
}

/** Serves `lockstep-git:` URIs through the server's gitShow request. */
export class GitContentProvider implements vscode.TextDocumentContentProvider {
  constructor(private readonly ctx: LockstepContext) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const rev = new URLSearchParams(uri.query).get('rev') ?? '';
    const key = uri.path.replace(/^\//, '');
    const client = this.ctx.client;
    if (!client?.running) return `(Lockstep's coordinator is not running: cannot read ${key} on ${rev})`;
    const raw = await client.sendRequest(matrixRequests.gitShow.method, { rev, path: key });
    const r = GitShowResult.parse(raw);
    if (!r.exists) return '';
    if (r.binary) return `(binary file, ${r.size} bytes: not shown)`;
    if (r.text === '' && r.size > 0) return `(${r.size} bytes: too large to show)`;
    return r.text;
  }
}

function nonce(): string {
  return randomBytes(18).toString('base64').replace(/[^A-Za-z0-9]/g, '');
}

function oneLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
}

/** The extension's own folder (dist/extension.js lives in <extension>/dist). */
function extensionRoot(): vscode.Uri {
  return vscode.extensions.getExtension('lockstep-dev.lockstep')?.extensionUri ?? vscode.Uri.file(path.resolve(__dirname, '..'));
}

export class MatrixPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private panelDisposables: vscode.Disposable[] = [];
  private subscribed: { client: CoordinatorClient; sub: vscode.Disposable } | undefined;
  private state: MatrixState | undefined;
  private ready = false;

  constructor(private readonly ctx: LockstepContext) {
    this.disposables.push(vscode.workspace.registerTextDocumentContentProvider(GIT_SCHEME, new GitContentProvider(ctx)));
  }

  /** Opens the panel, or brings it to the front. */
  show(): void {
    if (this.panel) {
      this.panel.reveal();
      return;
    }
    const root = extensionRoot();
    const panel = vscode.window.createWebviewPanel(MATRIX_VIEW_TYPE, 'Lockstep: Conflict Matrix', vscode.ViewColumn.Active, {
      enableScripts: true,
      enableCommandUris: false,
      localResourceRoots: [vscode.Uri.joinPath(root, 'dist', 'webview'), vscode.Uri.joinPath(root, 'media')],
    });
    panel.iconPath = vscode.Uri.joinPath(root, 'media', 'lockstep.svg');
    this.panel = panel;
    this.ready = false;
    panel.webview.html = this.html(panel.webview, root);
    this.panelDisposables = [
      panel.webview.onDidReceiveMessage((raw: unknown) => void this.onMessage(raw)),
      panel.onDidDispose(() => this.onPanelClosed()),
      // A restarted coordinator is a new client: follow it.
      this.ctx.state.onDidChange(() => this.followClient()),
    ];
  }

  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  private html(webview: vscode.Webview, root: vscode.Uri): string {
    const n = nonce();
    const script = webview.asWebviewUri(vscode.Uri.joinPath(root, 'dist', 'webview', 'matrix.js'));
    const css = webview.asWebviewUri(vscode.Uri.joinPath(root, 'media', 'matrix.css'));
    const csp = `default-src 'none'; style-src ${webview.cspSource}; script-src 'nonce-${n}';`;
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${css.toString()}">
<title>Conflict Matrix</title>
</head>
<body>
<script nonce="${n}" src="${script.toString()}"></script>
</body>
</html>`;
  }

  private post(message: ToWebview): void {
    if (!this.panel || !this.ready) return;
    void this.panel.webview.postMessage(message);
  }

  private notice(level: 'info' | 'error', message: string): void {
    this.post({ type: 'notice', level, message });
  }

  /** Subscribes to the current client's matrix pushes (again after a restart) and fetches the state. */
  private followClient(): void {
    const client = this.ctx.client;
    if (!this.panel || !this.ready) return;
    if (!client?.running) {
      if (this.subscribed) {
        this.subscribed.sub.dispose();
        this.subscribed = undefined;
        this.post({ type: 'unavailable', message: `The Lockstep coordinator is not running${this.ctx.stoppedReason ? ` (${this.ctx.stoppedReason})` : ''}. Restart it with "Lockstep: Restart Coordinator".` });
      }
      return;
    }
    if (this.subscribed?.client === client) return;
    this.subscribed?.sub.dispose();
    const sub = client.onNotification(MATRIX_CHANGED, (raw) => {
      const r = MatrixState.safeParse(raw);
      if (!r.success) return this.ctx.output.appendLine(describeMessageError(MATRIX_CHANGED, r.error));
      this.state = r.data;
      this.post({ type: 'state', state: r.data });
    });
    this.subscribed = { client, sub };
    void this.fetchState();
  }

  private async fetchState(): Promise<void> {
    const client = this.ctx.client;
    if (!client?.running) {
      this.post({ type: 'unavailable', message: 'The Lockstep coordinator is not running. Restart it with "Lockstep: Restart Coordinator".' });
      return;
    }
    try {
      const state = MatrixState.parse(await client.sendRequest(matrixRequests.getMatrix.method, {}));
      this.state = state;
      this.post({ type: 'state', state });
    } catch (e) {
      this.post({ type: 'unavailable', message: `The matrix could not be computed: ${oneLine(e)}` });
    }
  }

  private async onMessage(raw: unknown): Promise<void> {
    const parsed = FromWebview.safeParse(raw);
    if (!parsed.success) {
      this.ctx.output.appendLine(`Lockstep matrix: ${describeMessageError('message from the webview', parsed.error)}`);
      return;
    }
    const m = parsed.data;
    try {
      switch (m.type) {
        case 'ready':
          this.ready = true;
          this.subscribed?.sub.dispose();
          this.subscribed = undefined;
          if (this.state) this.post({ type: 'state', state: this.state });
          this.followClient();
          if (!this.ctx.client?.running) this.post({ type: 'unavailable', message: 'The Lockstep coordinator is not running. Restart it with "Lockstep: Restart Coordinator".' });
          return;
        case 'refresh':
          return await this.fetchState();
        case 'selectCell':
          return await this.sendCell(m.a, m.b);
        case 'openFile':
          return await this.openFile(m.path, m.task);
        case 'openDiff':
          return await this.openDiff(m.a, m.b, m.path);
        case 'serialize':
          return await this.serialize(m.first, m.then);
        case 'applyWaves':
          return await this.applyWaves();
        case 'message':
          return await this.message(m.to);
      }
    } catch (e) {
      this.notice('error', oneLine(e));
    }
  }

  private requireClient(): CoordinatorClient {
    const client = this.ctx.client;
    if (!client?.running) throw new Error('the Lockstep coordinator is not running');
    return client;
  }

  private async sendCell(a: string, b: string): Promise<void> {
    try {
      const detail = MatrixCellDetail.parse(await this.requireClient().sendRequest(matrixRequests.getMatrixCell.method, { a, b }));
      this.post({ type: 'cell', detail });
    } catch (e) {
      this.post({ type: 'cellError', a, b, message: oneLine(e) });
    }
  }

  private participant(id: string) {
    return this.state?.participants.find((p) => p.id === id);
  }

  private async openFile(key: string, task?: string): Promise<void> {
    const root = this.state?.repoRoot ?? this.ctx.state.current?.repo.root;
    const p = task ? this.participant(task) : undefined;
    const candidates = [p?.worktree, root].filter((d): d is string => !!d).map((d) => path.join(d, ...key.split('/')));
    const found = candidates.find((f) => fs.existsSync(f));
    if (found) {
      await vscode.window.showTextDocument(vscode.Uri.file(found), { preview: true, viewColumn: vscode.ViewColumn.Beside });
      return;
    }
    // Not on disk (deleted, or only on a branch): show the branch's version, read-only.
    const branch = p?.branch ?? this.state?.plan.target;
    if (!branch) throw new Error(`${key} does not exist in this checkout`);
    await vscode.window.showTextDocument(gitDocumentUri(branch, key), { preview: true, viewColumn: vscode.ViewColumn.Beside });
  }

  private async openDiff(a: string, b: string, key: string): Promise<void> {
    const pa = this.participant(a);
    const pb = this.participant(b);
    if (!pa?.branch || !pb?.branch) throw new Error(`a diff needs the branches of both '${a}' and '${b}'`);
    await vscode.commands.executeCommand(
      'vscode.diff',
      gitDocumentUri(pa.branch, key),
      gitDocumentUri(pb.branch, key),
      `${key} (${pa.branch} ↔ ${pb.branch})`,
      { preview: true, viewColumn: vscode.ViewColumn.Beside },
    );
  }

  /** Makes `then` depend on `first` through the scheduler's updateTask (raising its phase when needed). */
  private async serialize(first: string, then: string): Promise<void> {
    const client = this.requireClient();
    const tasks = this.ctx.scheduler.current?.tasks ?? (await client.schedule('getSchedulerState', {})).tasks;
    const f = tasks.find((t) => t.id === first);
    const t = tasks.find((x) => x.id === then);
    if (!f || !t) throw new Error(`'${!f ? first : then}' is not a task of the plan`);
    if (t.dependsOn.includes(first)) return this.notice('info', `'${then}' already runs after '${first}'.`);
    const patch: { dependsOn: string[]; phase?: number } = { dependsOn: [...t.dependsOn, first] };
    // A task may only depend on tasks of its own or earlier phases.
    if (f.phase > t.phase) patch.phase = f.phase;
    await client.schedule('updateTask', { id: then, patch });
    this.notice('info', `'${then}' now depends on '${first}'${patch.phase ? ` (moved to phase ${patch.phase})` : ''}: they will not run at the same time.`);
  }

  /** Asks for the text and sends it through the same request as Send Message to Session…. */
  private async message(to: string): Promise<void> {
    this.requireClient();
    const r = await sendMessageTo(this.ctx, to);
    if (r) this.notice('info', r.text.replace(/\n/g, '; '));
  }

  private async applyWaves(): Promise<void> {
    const r = ApplyWavesResult.parse(await this.requireClient().sendRequest(matrixRequests.applyWaves.method, {}));
    this.notice('info', `Applied ${plural(r.waves.length, 'wave')} as phases in ${path.basename(r.file)}: ${r.waves.map((w, i) => `phase ${i + 1}: ${w.join(', ')}`).join('; ')}.`);
  }

  private onPanelClosed(): void {
    this.panel = undefined;
    this.ready = false;
    this.subscribed?.sub.dispose();
    this.subscribed = undefined;
    for (const d of this.panelDisposables.splice(0)) d.dispose();
  }

  dispose(): void {
    this.panel?.dispose();
    this.onPanelClosed();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
