// "Sessions & Locks": sessions (agent, task, worktree, last seen, sources) → their leased and
// edited files; unleased edits nobody owns are grouped at the end. Installed agent hooks that would not
// run Lockstep (or that the agent will not run) come first, one problem per line.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { holderName, timeLeft } from '../core/leaseNotice';
import type { HookHealthView, SessionView, Snapshot } from '../protocol/coordinatorState';
import type { LockState } from './lockState';
import { plural } from '../core/plural';

type Node =
  | { kind: 'session'; session: SessionView }
  | { kind: 'file'; key: string; session?: string; worktree: string; detail: string; mine: boolean; held: boolean }
  | { kind: 'unleasedGroup' }
  | { kind: 'hookProblems' }
  | { kind: 'hookProblem'; hook: HookHealthView; problem: string };

const AGENT_ICONS: Record<string, string> = {
  claude: 'sparkle',
  codex: 'terminal',
  gemini: 'star-empty',
  vscode: 'account',
  copilot: 'copilot',
  cursor: 'edit',
  cline: 'robot',
  windsurf: 'rocket',
  human: 'account',
};

export class SessionsTree implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly view: vscode.TreeView<Node>;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly state: LockState) {
    this.view = vscode.window.createTreeView('lockstep.sessions', { treeDataProvider: this, showCollapseAll: true });
    this.disposables.push(this.view, this.emitter, state.onDidChange(() => this.refresh()));
  }

  private refresh(): void {
    const snap = this.state.current;
    if (snap) {
      const live = snap.sessions.filter((s) => s.live).length;
      this.view.description = `${live} live · ${plural(snap.leases.length, 'lock')}`;
    }
    this.emitter.fire(undefined);
  }

  getChildren(node?: Node): Node[] {
    const snap = this.state.current;
    if (!snap) return [];
    if (!node) {
      // Only sessions that hold, edit or recently worked; an empty list shows the welcome view.
      const sessions = [...snap.sessions].sort((a, b) => Number(b.live) - Number(a.live) || b.lastSeen - a.lastSeen);
      const nodes: Node[] = snap.hooks.some((h) => !h.ok) ? [{ kind: 'hookProblems' }] : [];
      nodes.push(...sessions.map((session): Node => ({ kind: 'session', session })));
      if (snap.unleased.some((u) => u.worktreeSessions.length === 0)) nodes.push({ kind: 'unleasedGroup' });
      return nodes;
    }
    if (node.kind === 'session') return filesOf(snap, node.session);
    if (node.kind === 'hookProblems') return snap.hooks.flatMap((hook) => hook.problems.map((problem): Node => ({ kind: 'hookProblem', hook, problem })));
    if (node.kind === 'unleasedGroup') {
      return snap.unleased
        .filter((u) => u.worktreeSessions.length === 0)
        .map((u) => ({ kind: 'file', key: u.key, worktree: u.worktree, detail: `unleased ${u.change}`, mine: false, held: false }));
    }
    return [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    const snap = this.state.current!;
    switch (node.kind) {
      case 'session': {
        const s = node.session;
        const item = new vscode.TreeItem(sessionLabel(s, snap), vscode.TreeItemCollapsibleState.Expanded);
        const when = new Date(s.lastSeen).toLocaleTimeString();
        const wt = s.worktree ? path.basename(s.worktree) : 'no worktree';
        item.description = [s.task ? `task ${s.task}` : undefined, wt, s.live ? `seen ${when}` : `ended${s.endReason ? `: ${s.endReason}` : ''}`, s.sources.join('+')]
          .filter(Boolean)
          .join(' · ');
        item.iconPath = new vscode.ThemeIcon(AGENT_ICONS[s.agent] ?? 'hubot', s.live ? undefined : new vscode.ThemeColor('disabledForeground'));
        item.tooltip = new vscode.MarkdownString(
          [`**${s.id}**`, `agent: ${s.agent}`, s.task ? `task: ${s.task}` : '', `worktree: ${s.worktree || '—'}`, `sources: ${s.sources.join(', ')}`,
            s.pid ? `agent process: ${s.pid}` : '', s.live ? `last seen ${when}` : `ended: ${s.endReason ?? ''}`].filter(Boolean).join('  \n'),
        );
        item.contextValue = s.live ? 'lockstep.session.live' : 'lockstep.session.ended';
        item.id = `session:${s.id}`;
        return item;
      }
      case 'file': {
        const item = new vscode.TreeItem(node.key, vscode.TreeItemCollapsibleState.None);
        item.description = node.detail;
        item.iconPath = new vscode.ThemeIcon(node.held ? 'lock' : node.detail.startsWith('unleased') ? 'warning' : 'edit');
        item.resourceUri = vscode.Uri.file(path.join(node.worktree || snap.repo.root, ...node.key.split('/')));
        item.contextValue = node.held ? (node.mine ? 'lockstep.file.mine' : 'lockstep.file.other') : 'lockstep.file.edited';
        item.command = { command: 'lockstep.openLeasedFile', title: 'Open File', arguments: [item.resourceUri] };
        item.id = `file:${node.session ?? ''}:${node.worktree}:${node.key}`;
        return item;
      }
      case 'hookProblems': {
        const bad = snap.hooks.filter((h) => !h.ok);
        const item = new vscode.TreeItem(`Agent hooks that will not run Lockstep (${bad.map((h) => h.agent).join(', ')})`, vscode.TreeItemCollapsibleState.Expanded);
        item.iconPath = new vscode.ThemeIcon('error');
        item.tooltip = 'Run Lockstep: Doctor for details';
        item.id = 'hookProblems';
        return item;
      }
      case 'hookProblem': {
        const item = new vscode.TreeItem(`${node.hook.agent} (${node.hook.scope})`, vscode.TreeItemCollapsibleState.None);
        item.description = node.problem;
        item.tooltip = new vscode.MarkdownString(`**${node.hook.file}**  \n${node.problem}  \n${node.hook.transport} hook, ${node.hook.failure}`);
        item.iconPath = new vscode.ThemeIcon('warning');
        item.resourceUri = vscode.Uri.file(node.hook.file);
        item.command = { command: 'lockstep.openLeasedFile', title: 'Open File', arguments: [item.resourceUri] };
        item.id = `hookProblem:${node.hook.id}:${node.problem}`;
        return item;
      }
      case 'unleasedGroup': {
        const item = new vscode.TreeItem('Unleased edits (no session in that worktree)', vscode.TreeItemCollapsibleState.Expanded);
        item.iconPath = new vscode.ThemeIcon('warning');
        item.id = 'unleased';
        return item;
      }
    }
  }

  async reveal(): Promise<void> {
    await vscode.commands.executeCommand('lockstep.sessions.focus');
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

function sessionLabel(s: SessionView, snap: Snapshot): string {
  if (s.id === snap.userSession) return `You (${s.id})`;
  return holderName(s.id);
}

function filesOf(snap: Snapshot, s: SessionView): Node[] {
  const now = Date.now();
  const out: Node[] = [];
  const seen = new Set<string>();
  for (const l of snap.leases.filter((x) => x.session === s.id)) {
    seen.add(l.key);
    out.push({ kind: 'file', key: l.key, session: s.id, worktree: s.worktree, detail: `locked · ${timeLeft(l.expiresAt, now)}`, mine: s.id === snap.userSession, held: true });
  }
  for (const e of snap.edits.filter((x) => x.session === s.id)) {
    if (seen.has(e.key)) continue;
    seen.add(e.key);
    out.push({ kind: 'file', key: e.key, session: s.id, worktree: e.worktree, detail: `edited (${e.sources.join('+')})`, mine: false, held: false });
  }
  for (const u of snap.unleased.filter((x) => x.worktreeSessions.includes(s.id) || x.editedBy.includes(s.id))) {
    if (seen.has(u.key)) continue;
    seen.add(u.key);
    out.push({ kind: 'file', key: u.key, session: s.id, worktree: u.worktree, detail: `unleased ${u.change}`, mine: false, held: false });
  }
  return out;
}
