// The "Scheduler" tree: phases → tasks with status icons and, for waiting tasks, why they wait.
// The cap and counts are in the view's description. Renders SchedulerState; sends no requests.
import * as vscode from 'vscode';
import type { SchedulerState, TaskView } from '../protocol/schedulerMethods';

type Node = { kind: 'phase'; phase: number; tasks: TaskView[] } | { kind: 'task'; task: TaskView } | { kind: 'reason'; text: string; task: TaskView } | { kind: 'issue'; text: string; line: number };

const STATUS_ICONS: Record<string, [string, string | undefined]> = {
  queued: ['circle-outline', undefined],
  ready: ['play-circle', 'charts.green'],
  running: ['sync~spin', 'charts.blue'],
  finished: ['pass', 'charts.green'],
  landing: ['loading~spin', 'charts.purple'],
  landed: ['git-merge', 'charts.purple'],
  blocked: ['debug-pause', 'charts.yellow'],
  conflicted: ['git-compare', 'charts.red'],
  failed: ['error', 'charts.red'],
};

export class SchedulerModel implements vscode.Disposable {
  private value: SchedulerState | undefined;
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  get current(): SchedulerState | undefined {
    return this.value;
  }
  set(state: SchedulerState | undefined): void {
    this.value = state;
    void vscode.commands.executeCommand('setContext', 'lockstep.planState', !state ? 'none' : !state.plan.exists ? 'missing' : state.plan.valid ? 'valid' : 'invalid');
    this.emitter.fire();
  }
  task(id: string): TaskView | undefined {
    return this.value?.tasks.find((t) => t.id === id);
  }
  dispose(): void {
    this.emitter.dispose();
  }
}

export class SchedulerTree implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly view: vscode.TreeView<Node>;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly model: SchedulerModel) {
    this.view = vscode.window.createTreeView('lockstep.scheduler', { treeDataProvider: this, showCollapseAll: true });
    this.disposables.push(this.view, this.emitter, model.onDidChange(() => this.refresh()));
  }

  private refresh(): void {
    const s = this.model.current;
    if (s?.plan.valid) {
      const landed = s.tasks.filter((t) => t.status === 'landed').length;
      this.view.description = `${s.running}/${s.maxParallel} running · ${landed}/${s.tasks.length} landed`;
    } else this.view.description = s?.plan.exists ? 'plan has problems' : undefined;
    this.emitter.fire(undefined);
  }

  getChildren(node?: Node): Node[] {
    const s = this.model.current;
    if (!s || !s.plan.exists) return [];
    if (!node) {
      if (!s.plan.valid) return s.plan.issues.map((i) => ({ kind: 'issue', text: i.text, line: i.line }));
      const phases = new Map<number, TaskView[]>();
      for (const t of s.tasks) phases.set(t.phase, [...(phases.get(t.phase) ?? []), t]);
      return [...phases.entries()].sort((a, b) => a[0] - b[0]).map(([phase, tasks]) => ({ kind: 'phase', phase, tasks }));
    }
    if (node.kind === 'phase') return node.tasks.map((task) => ({ kind: 'task', task }));
    if (node.kind === 'task') return node.task.reasons.map((text) => ({ kind: 'reason', text, task: node.task }));
    return [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    switch (node.kind) {
      case 'phase': {
        const landed = node.tasks.filter((t) => t.status === 'landed').length;
        const item = new vscode.TreeItem(`Phase ${node.phase}`, vscode.TreeItemCollapsibleState.Expanded);
        item.description = `${landed}/${node.tasks.length} landed`;
        item.iconPath = new vscode.ThemeIcon(landed === node.tasks.length ? 'pass-filled' : 'layers');
        item.id = `phase:${node.phase}`;
        return item;
      }
      case 'task': {
        const t = node.task;
        const item = new vscode.TreeItem(t.title, t.reasons.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
        const detail = t.state.status === 'failed' || t.state.status === 'blocked' ? `: ${t.state.reason}` : t.state.status === 'conflicted' ? `: ${t.state.paths.join(', ')}` : '';
        const waits = t.reasons.length && (t.status === 'queued' || t.status === 'ready') ? ` — ${t.reasons[0]}` : '';
        item.description = `${t.id} · ${t.readOnly ? 'read-only' : t.agent} · ${t.status}${detail}${waits}`;
        const [icon, color] = STATUS_ICONS[t.status] ?? ['circle-outline', undefined];
        item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
        item.tooltip = new vscode.MarkdownString(
          [`**${t.title}** (\`${t.id}\`)`, `status: ${t.status}${detail}`, `agent: ${t.agent}${t.readOnly ? ' (read-only)' : ''}`,
            t.scope.length ? `scope: ${t.scope.join(', ')}` : '', t.dependsOn.length ? `depends on: ${t.dependsOn.join(', ')}` : '',
            t.branch ? `branch: ${t.branch}` : '', t.worktree ? `worktree: ${t.worktree}` : '', ...t.reasons.map((r) => `waits: ${r}`)].filter(Boolean).join('  \n'),
        );
        item.contextValue = `lockstep.task.${t.status}${t.startable ? '.startable' : ''}${t.worktree ? '.wt' : ''}`;
        item.id = `task:${t.id}`;
        return item;
      }
      case 'reason': {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon('watch');
        return item;
      }
      case 'issue': {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
        item.command = { command: 'lockstep.openPlan', title: 'Open Plan', arguments: [node.line] };
        return item;
      }
    }
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
