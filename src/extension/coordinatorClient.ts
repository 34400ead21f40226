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
  type InitializeInfo,
  type RequestParams,
  type RequestResult,
} from '../protocol/coordinatorMethods';
import {
  agentExitedNotification,
  launchAgentTerminalRequest,
  schedulerChangedNotification,
  schedulerRequests,
  type AgentExitedParams,
  type LaunchAgentTerminalParams,
  type LaunchAgentTerminalResult,
  type SchedulerRequestName,
  type SchedulerRequestParams,
  type SchedulerRequestResult,
  type SchedulerState,
  landingQueueBatchNotification,
  type LandingQueueBatch,
} from '../protocol/schedulerMethods';
import { memoryChangedNotification, memoryRequests, type MemoryRequestName, type MemoryRequestParams, type MemoryRequestResult, type MemoryState } from '../protocol/memoryMethods';
import type { LockState } from './lockState';

/** What the extension does for the scheduler running in the server. */
export interface SchedulerClientSide {
  onSchedulerChanged(state: SchedulerState): void;
  /** A batch of the landing queue has run (coordinator or request). */
  onLandingQueueBatch(batch: LandingQueueBatch): void;
  launchAgentTerminal(params: LaunchAgentTerminalParams): Promise<LaunchAgentTerminalResult>;
}

/** What the extension does with the shared memory's state (decision log, unread counts). */
export interface MemoryClientSide {
  onMemoryChanged(state: MemoryState): void;
}

/** A request unanswered this long is logged (and its late answer). */
const SLOW_REQUEST_MS = 5000;

export class CoordinatorClient implements vscode.Disposable {
  private readonly client: LanguageClient;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly stateEmitter = new vscode.EventEmitter<boolean>();
  private disposed = false;
  /** Fires true when the server is running, false when it stopped. */
  readonly onDidChangeRunning = this.stateEmitter.event;

  constructor(
    serverModule: string,
    root: string,
    init: InitializationOptions,
    private readonly state: LockState,
    private readonly output: vscode.OutputChannel,
    private readonly scheduler: SchedulerClientSide & MemoryClientSide,
  ) {
    const serverOptions: ServerOptions = {
      run: { module: serverModule, transport: TransportKind.ipc },
      debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ scheme: 'file' }],
      workspaceFolder: vscode.workspace.getWorkspaceFolder(vscode.Uri.file(root)),
      initializationOptions: { ...init, root },
      outputChannel: this.logUntilDisposed(output),
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

  /** The coordinator's process id, as it answered `initialize` (a new one after every restart). */
  get serverPid(): number | undefined {
    return (this.client.initializeResult as { lockstep?: InitializeInfo } | undefined)?.lockstep?.pid;
  }

  async start(): Promise<void> {
    await this.client.start();
    this.disposables.push(
      this.client.onNotification(snapshotNotification, (snap) => this.state.reset(snap)),
      this.client.onNotification(stateChangedNotification, (delta) => {
        if (!this.state.apply(delta)) void this.resync();
      }),
      this.client.onNotification(schedulerChangedNotification, (s) => this.scheduler.onSchedulerChanged(s)),
      this.client.onNotification(landingQueueBatchNotification, (b) => this.scheduler.onLandingQueueBatch(b)),
      this.client.onRequest(launchAgentTerminalRequest, (p) => this.scheduler.launchAgentTerminal(p)),
      this.client.onNotification(memoryChangedNotification, (m) => this.scheduler.onMemoryChanged(m)),
    );
    await this.resync();
    this.scheduler.onSchedulerChanged(await this.schedule('getSchedulerState', {}));
    this.scheduler.onMemoryChanged(await this.memory('getMemoryState', {}));
  }

  memory<K extends MemoryRequestName>(name: K, params: MemoryRequestParams<K>): Promise<MemoryRequestResult<K>> {
    return this.sendRequest(memoryRequests[name].type.method, params) as Promise<MemoryRequestResult<K>>;
  }

  schedule<K extends SchedulerRequestName>(name: K, params: SchedulerRequestParams<K>): Promise<SchedulerRequestResult<K>> {
    return this.sendRequest(schedulerRequests[name].type.method, params) as Promise<SchedulerRequestResult<K>>;
  }

  /**
   * Sends a request by method name (protocol modules that declare methods as strings use it directly).
   * One that goes unanswered for a while is logged, and its answer too: a user waiting on a command
   * sees in the log that the coordinator is busy (landing, a slow git), not that nothing happened.
   */
  sendRequest(method: string, params: unknown): Promise<unknown> {
    const sent = Date.now();
    let slow = false;
    const timer = setTimeout(() => {
      slow = true;
      this.output.appendLine(`${method}: no answer from the coordinator after ${SLOW_REQUEST_MS / 1000} s; still waiting`);
    }, SLOW_REQUEST_MS);
    const done = () => {
      clearTimeout(timer);
      if (slow) this.output.appendLine(`${method}: answered after ${((Date.now() - sent) / 1000).toFixed(1)} s`);
    };
    const answer = this.client.sendRequest(method, params);
    answer.then(done, done);
    return answer;
  }

  /** Handles a server notification by method name (one handler per method; dispose to remove it). */
  onNotification(method: string, handler: (params: unknown) => void): vscode.Disposable {
    return this.client.onNotification(method, handler);
  }

  agentExited(params: AgentExitedParams): void {
    if (this.running) void this.client.sendNotification(agentExitedNotification, params);
  }

  private async resync(): Promise<void> {
    this.state.reset(await this.request('getSnapshot', {}));
  }

  request<K extends CoordinatorRequestName>(name: K, params: RequestParams<K>): Promise<RequestResult<K>> {
    return this.sendRequest(coordinatorRequests[name].type.method, params) as Promise<RequestResult<K>>;
  }

  setDiagnostics(enabled: boolean): void {
    if (this.running) void this.client.sendNotification(clientOptionsNotification, { diagnostics: enabled });
  }

  async stop(): Promise<void> {
    if (this.client.state !== State.Stopped) await this.client.stop();
  }

  async dispose(): Promise<void> {
    await this.stop().catch(() => undefined);
    this.disposed = true;
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  /**
   * The client reports the server's exit after stop() resolved, when deactivation may already have
   * disposed the channel (writing to it then throws "Channel has been closed"): drop lines after dispose.
   * The client logs through a LogOutputChannel's levels; the Lockstep channel is a plain one that the
   * extension writes too, so levels become a line prefix (info and above: trace and debug are dropped).
   */
  private logUntilDisposed(output: vscode.OutputChannel): vscode.LogOutputChannel {
    const whileOpen =
      <A extends unknown[]>(write: (...args: A) => void) =>
      (...args: A): void => {
        if (!this.disposed) write(...args);
      };
    const level = (name: string) =>
      whileOpen((message: string | Error, ...args: unknown[]) => {
        const text = message instanceof Error ? (message.stack ?? message.message) : message;
        output.appendLine(`[${name}] ${[text, ...args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a)))].join(' ')}`);
      });
    return {
      name: output.name,
      logLevel: vscode.LogLevel.Info,
      onDidChangeLogLevel: () => ({ dispose: () => undefined }),
      trace: () => undefined,
      debug: () => undefined,
      info: level('Info'),
      warn: level('Warn'),
      error: level('Error'),
      append: whileOpen((value: string) => output.append(value)),
      appendLine: whileOpen((value: string) => output.appendLine(value)),
      replace: whileOpen((value: string) => output.replace(value)),
      clear: whileOpen(() => output.clear()),
      show: whileOpen((...args: unknown[]) => output.show(...(args as [boolean?]))),
      hide: whileOpen(() => output.hide()),
      dispose: () => undefined, // the channel belongs to the activation, not to this client
    };
  }
}
