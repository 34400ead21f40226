// Owns everything of one activation: config, the coordinator client, the state mirror and the views.
// Two disposal scopes: the activation (views, commands) and the client's lifetime (restartable).
import * as vscode from 'vscode';
import { refreshLauncherForExtension } from '../agents/install/launcher';
import { locateRepo } from '../repoPaths/repoLocator';
import { Config } from './config';
import { CoordinatorClient } from './coordinatorClient';
import { EditorMarks } from './editorMarks';
import { LockFileDecorations } from './fileDecorations';
import { LockState } from './lockState';
import { AgentTerminals } from './agentTerminals';
import { Announcer } from './announcer';
import { DecisionLogTree } from './decisionLogView';
import { MemoryModel } from './memoryModel';
import { PlanApproval } from './planApproval';
import type { LandingQueueBatch } from '../protocol/schedulerMethods';
import { PlanDiagnostics } from './planDiagnostics';
import { SchedulerModel, SchedulerTree } from './schedulerView';
import { SessionsTree } from './sessionsTree';
import { LockStatusBar, type ServerState } from './statusBar';
import { WalkthroughProgress } from './walkthroughProgress';

export class LockstepContext implements vscode.Disposable {
  readonly output = vscode.window.createOutputChannel('Lockstep');
  readonly state = new LockState();
  readonly config: Config;
  readonly scheduler = new SchedulerModel();
  private readonly queueBatchEmitter = new vscode.EventEmitter<LandingQueueBatch>();
  /** Each batch the landing queue ran (landingQueueCommands.ts shows it). */
  readonly onLandingQueueBatch = this.queueBatchEmitter.event;
  readonly memory = new MemoryModel();
  readonly terminals = new AgentTerminals((task, exitCode) => this.client?.agentExited({ task, exitCode }));
  client: CoordinatorClient | undefined;
  stoppedReason: string | undefined;
  serverState: ServerState = 'starting';
  // Kept by name for the extension-host tests (see testApi.ts).
  readonly fileDecorations: LockFileDecorations;
  readonly editorMarks: EditorMarks;
  readonly sessionsTree: SessionsTree;
  readonly schedulerTree: SchedulerTree;
  readonly decisionLogTree: DecisionLogTree;
  readonly statusBar: LockStatusBar;
  /** Asks before plan commands that changed since the user approved them run (planApproval.ts). */
  readonly planApproval: PlanApproval;
  private readonly disposables: vscode.Disposable[] = [];
  /** The store change the coordinator was last restarted for (once per change, never in a loop). */
  private restartedForStore: string | undefined;

  constructor(private readonly extension: vscode.ExtensionContext) {
    this.config = new Config((message) => {
      this.output.appendLine(message);
      void vscode.window.showWarningMessage(message);
    });
    this.statusBar = new LockStatusBar(this.state);
    this.planApproval = new PlanApproval(extension.workspaceState);
    this.fileDecorations = new LockFileDecorations(this.state, this.config);
    this.editorMarks = new EditorMarks(this.state, this.config);
    this.sessionsTree = new SessionsTree(this.state, this.memory);
    this.schedulerTree = new SchedulerTree(this.scheduler);
    this.decisionLogTree = new DecisionLogTree(this.memory);
    this.disposables.push(
      this.queueBatchEmitter,
      this.output,
      this.state,
      this.config,
      this.statusBar,
      this.fileDecorations,
      this.editorMarks,
      this.sessionsTree,
      this.scheduler,
      this.terminals,
      this.schedulerTree,
      this.memory,
      this.decisionLogTree,
      new PlanDiagnostics(this.scheduler),
      new WalkthroughProgress(this.state, this.scheduler, this.config),
      new Announcer(this.scheduler, this.state, this.config, (line) => this.output.appendLine(line)),
      this.config.onDidChange(() => void this.pushSettings()),
      // The store setting changed (here, or lockstep config --store): a coordinator serves one store, so it restarts.
      this.state.onDidChange(() => {
        const changed = this.state.current?.config.storeChanged;
        if (!changed || changed === this.restartedForStore || !this.client?.running) return;
        this.restartedForStore = changed;
        this.output.appendLine(`Lockstep: the store is now ${changed}; restarting the coordinator`);
        void this.restart();
      }),
    );
  }

  /** Disposes `d` with this context (the commands extension.ts registers on it). */
  own(...d: vscode.Disposable[]): void {
    this.disposables.push(...d);
  }

  /** The git worktree of the first workspace folder, or undefined (then Lockstep stays idle). */
  private repoRoot(): { root?: string; reason?: string } {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder || folder.uri.scheme !== 'file') return { reason: 'no local folder is open' };
    try {
      return { root: locateRepo(folder.uri.fsPath).worktreeRoot };
    } catch (e) {
      return { reason: e instanceof Error ? e.message : String(e) };
    }
  }

  /** After an update the installed hooks' launcher still names the old copy: point it at this one. */
  private refreshHookLauncher(): void {
    try {
      const r = refreshLauncherForExtension({ cliJs: this.extension.asAbsolutePath('dist/cli.js') });
      if (r.changed) this.output.appendLine(`Lockstep: agent hooks now run ${this.extension.asAbsolutePath('dist/cli.js')}${r.reason ? ` (${r.reason})` : ''}`);
    } catch (e) {
      this.output.appendLine(`Lockstep: could not update the hook launcher: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  async start(): Promise<void> {
    this.refreshHookLauncher();
    const { root, reason } = this.repoRoot();
    if (!root) {
      this.setServerState('notGit', reason);
      this.output.appendLine(`Lockstep is idle: ${reason}`);
      return;
    }
    this.setServerState('starting');
    const client = new CoordinatorClient(
      this.extension.asAbsolutePath('dist/server.js'),
      root,
      { userSessionId: this.config.userSessionId, diagnostics: this.config.diagnostics },
      this.state,
      this.output,
      { onSchedulerChanged: (s) => this.scheduler.set(s), onLandingQueueBatch: (b) => this.queueBatchEmitter.fire(b), launchAgentTerminal: (p) => this.terminals.launch(p), onMemoryChanged: (m) => this.memory.set(m) },
    );
    this.client = client;
    client.onDidChangeRunning((running) => {
      if (this.client === client) this.setServerState(running ? 'running' : 'stopped', running ? undefined : 'it stopped; see the Lockstep log');
    });
    try {
      await client.start();
      this.setServerState('running');
      await this.pushSettings();
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      this.setServerState('stopped', msg);
      this.output.appendLine(`Lockstep coordinator failed to start: ${msg}`);
      void vscode.window.showErrorMessage(`Lockstep: the coordinator failed to start: ${msg.split('\n')[0]}`, 'Show Log').then((c) => {
        if (c) this.output.show();
      });
    }
  }

  async restart(): Promise<void> {
    const old = this.client;
    this.client = undefined;
    await old?.dispose();
    this.state.reset(undefined);
    this.scheduler.set(undefined);
    this.memory.set(undefined);
    await this.start();
  }

  /** Repository-wide settings live in the store (hooks read them there); editor-only ones stay here. */
  private async pushSettings(): Promise<void> {
    const client = this.client;
    if (!client?.running) return;
    client.setDiagnostics(this.config.diagnostics);
    const repoSettings = this.config.explicitRepoSettings();
    if (Object.keys(repoSettings).length === 0) return;
    try {
      await client.request('setConfig', repoSettings);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      this.output.appendLine(`Lockstep: could not apply settings: ${msg}`);
      if (repoSettings.store !== undefined) void vscode.window.showErrorMessage(`Lockstep: lockstep.store not applied: ${msg.split('\n')[0]}`);
    }
  }

  private setServerState(state: ServerState, reason?: string): void {
    this.serverState = state;
    this.stoppedReason = state === 'stopped' ? reason : undefined;
    this.statusBar.setServerState(state);
    void vscode.commands.executeCommand('setContext', 'lockstep.serverState', state);
  }

  async dispose(): Promise<void> {
    await this.client?.dispose();
    for (const d of this.disposables.splice(0).reverse()) d.dispose();
  }
}
