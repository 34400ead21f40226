// The "Scheduler" tree: phases → tasks with status icons and, for waiting tasks, why they wait; then the
// landing queue (waiting in landing order, held, verifying, failed with the reason, the last landed).
// The cap and counts are in the view's description. Renders SchedulerState; sends no requests.
import * as vscode from 'vscode';
import type { QueueEntry, QueueView, SchedulerState, TaskView } from '../protocol/schedulerMethods';

type Node =
  | { kind: 'phase'; phase: number; tasks: TaskView[] }
  | { kind: 'task'; task: TaskView }
  | { kind: 'reason'; text: string; task: TaskView }
  | { kind: 'issue'; text: string; line: number }
  | { kind: 'queue'; queue: QueueView }
  | { kind: 'queueEntry'; entry: QueueEntry; task?: TaskView };

const QUEUE_ICONS: Record<QueueEntry['state'], [string, string | undefined]> = {
  waiting: ['clock', undefined],
  held: ['debug-pause', 'charts.yellow'],
  verifying: ['loading~spin', 'charts.purple'],
  landed: ['git-merge', 'charts.purple'],
  failed: ['error', 'charts.red'],
};
/** Landed tasks the queue node lists (newest first); the phases show them all. */
const QUEUE_LANDED_SHOWN = 5;

/** The queue is worth a node when the plan enables it or it holds anything but landed tasks. */
function showsQueue(q: QueueView | undefined): q is QueueView {
  return !!q && (q.enabled || q.paused || q.entries.some((e) => e.state !== 'landed'));
}

function queueSummary(q: QueueView): string {
  const n = (state: QueueEntry['state']) => q.entries.filter((e) => e.state === state).length;
  const parts = [q.paused ? 'paused' : q.enabled ? 'running' : 'manual (lockstep land --queue)'];
  for (const state of ['waiting', 'verifying', 'held', 'failed'] as const) if (n(state)) parts.push(`${n(state)} ${state}`);
  return parts.join(' · ');
}

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
      const nodes: Node[] = [...phases.entries()].sort((a, b) => a[0] - b[0]).map(([phase, tasks]) => ({ kind: 'phase', phase, tasks }));
      if (showsQueue(s.queue)) nodes.push({ kind: 'queue', queue: s.queue });
      return nodes;
    }
    if (node.kind === 'queue') {
      const landed = node.queue.entries.filter((e) => e.state === 'landed').slice(0, QUEUE_LANDED_SHOWN);
      return [...node.queue.entries.filter((e) => e.state !== 'landed'), ...landed].map((entry) => {
        const task = s.tasks.find((t) => t.id === entry.id);
        return { kind: 'queueEntry', entry, ...(task ? { task } : {}) };
      });
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
      case 'queue': {
        const q = node.queue;
        const item = new vscode.TreeItem('Landing queue', vscode.TreeItemCollapsibleState.Expanded);
        item.description = queueSummary(q);
        item.iconPath = new vscode.ThemeIcon(q.paused ? 'debug-pause' : 'list-ordered');
        item.tooltip = new vscode.MarkdownString(
          [`**Landing queue** onto \`${q.target}\`: ${q.paused ? 'paused' : 'running'}`,
            q.enabled ? 'finished tasks land by themselves (landingQueue.enabled)' : 'runs when asked (Land the Queue Now, or lockstep land --queue)',
            `batches of ${q.batchSize}, ${q.parallel} check${q.parallel === 1 ? '' : 's'} at once while bisecting`].join('  \n'),
        );
        item.contextValue = `lockstep.queue.${q.paused ? 'paused' : 'running'}`;
        item.id = 'queue';
        return item;
      }
      case 'queueEntry': {
        const e = node.entry;
        const item = new vscode.TreeItem(node.task?.title ?? e.id, vscode.TreeItemCollapsibleState.None);
        // Not "<id> · …" like a task row: the queue lists the same tasks again.
        item.description = `${e.state}${e.reason ? `: ${e.reason}` : ''} (${e.id})`;
        const [icon, color] = QUEUE_ICONS[e.state];
        item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
        item.tooltip = `${e.id}: ${e.state}${e.reason ? ` — ${e.reason}` : ''}`;
        item.contextValue = `lockstep.queueEntry.${e.state}`;
        item.id = `queue:${e.id}`;
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
