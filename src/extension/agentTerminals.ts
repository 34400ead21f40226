// Runs scheduled agents in VS Code terminals: the program and its arguments are passed as such
// (shellPath + shellArgs, no shell parsing), and the server is told when the agent exits.
import * as vscode from 'vscode';
import type { LaunchAgentTerminalParams, LaunchAgentTerminalResult } from '../protocol/schedulerMethods';

export class AgentTerminals implements vscode.Disposable {
  private readonly byTask = new Map<string, vscode.Terminal>();
  private readonly subscription: vscode.Disposable;

  constructor(private readonly onExit: (task: string, exitCode: number | null) => void) {
    this.subscription = vscode.window.onDidCloseTerminal((t) => {
      for (const [task, term] of this.byTask) {
        if (term === t) {
          this.byTask.delete(task);
          this.onExit(task, t.exitStatus?.code ?? null);
        }
      }
    });
  }

  async launch(p: LaunchAgentTerminalParams): Promise<LaunchAgentTerminalResult> {
    const terminal = vscode.window.createTerminal({
      name: `Lockstep: ${p.task}`,
      cwd: p.cwd,
      shellPath: p.argv[0],
      shellArgs: p.argv.slice(1),
      env: p.env,
      iconPath: new vscode.ThemeIcon('hubot'),
      isTransient: true,
    });
    this.byTask.set(p.task, terminal);
    terminal.show(true);
    const pid = await terminal.processId;
    return pid ? { pid } : {};
  }

  show(task: string): boolean {
    const t = this.byTask.get(task);
    t?.show();
    return !!t;
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
