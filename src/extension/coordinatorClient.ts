// Starts the coordinator server through vscode-languageclient and keeps LockState in sync with it.
import * as vscode from 'vscode';
import { LanguageClient, State, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import {
  clientOptionsNotification,
  coordinatorRequests,
  snapshotNotification,
  stateChangedNotification,
  type CoordinatorRequestName,
  type InitializationOptions,
  type RequestParams,
  type RequestResult,
} from '../protocol/coordinatorMethods';
import type { LockState } from './lockState';

export class CoordinatorClient implements vscode.Disposable {
  private readonly client: LanguageClient;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly stateEmitter = new vscode.EventEmitter<boolean>();
  /** Fires true when the server is running, false when it stopped. */
  readonly onDidChangeRunning = this.stateEmitter.event;

  constructor(
    serverModule: string,
    root: string,
    init: InitializationOptions,
    private readonly state: LockState,
    output: vscode.OutputChannel,
  ) {
    const serverOptions: ServerOptions = {
      run: { module: serverModule, transport: TransportKind.ipc },
      debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ scheme: 'file' }],
      workspaceFolder: vscode.workspace.getWorkspaceFolder(vscode.Uri.file(root)),
      initializationOptions: { ...init, root },
      outputChannel: output,
    };
    this.client = new LanguageClient('lockstep', 'Lockstep Coordinator', serverOptions, clientOptions);
    this.disposables.push(
      this.stateEmitter,
      this.client.onDidChangeState((e) => this.stateEmitter.fire(e.newState === State.Running)),
    );
  }

  get running(): boolean {
    return this.client.state === State.Running;
  }

  async start(): Promise<void> {
    await this.client.start();
    this.disposables.push(
      this.client.onNotification(snapshotNotification, (snap) => this.state.reset(snap)),
      this.client.onNotification(stateChangedNotification, (delta) => {
        if (!this.state.apply(delta)) void this.resync();
      }),
    );
    await this.resync();
  }

  private async resync(): Promise<void> {
    this.state.reset(await this.request('getSnapshot', {}));
  }

  request<K extends CoordinatorRequestName>(name: K, params: RequestParams<K>): Promise<RequestResult<K>> {
    const spec = coordinatorRequests[name];
    return this.client.sendRequest(spec.type as never, params) as Promise<RequestResult<K>>;
  }

  setDiagnostics(enabled: boolean): void {
    if (this.running) void this.client.sendNotification(clientOptionsNotification, { diagnostics: enabled });
  }

  async stop(): Promise<void> {
    if (this.client.state !== State.Stopped) await this.client.stop();
  }

  async dispose(): Promise<void> {
    await this.stop().catch(() => undefined);
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
