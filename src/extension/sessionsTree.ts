// "Sessions & Locks": sessions (agent, task, worktree, last seen, sources) → their leased and
// edited files, the unleased edits (writes that escaped the hooks) they probably made, and, for a
// session that ended, the work it left uncommitted; unleased edits nobody owns are grouped at the end.
// Installed agent hooks that would not run Lockstep (or that the agent will not run) come first.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { holderName, timeLeft } from '../core/leaseNotice';
import type { HookHealthView, SessionView, Snapshot, UnleasedEdit } from '../protocol/coordinatorState';
import type { LockState } from './lockState';
import type { MemoryModel } from './memoryModel';
import { plural } from '../core/plural';

/** held: a lease; edited: recorded edit; unleased: escaped the hooks; leftover: an ended session's uncommitted work. */
type FileLook = 'held' | 'edited' | 'unleased' | 'leftover';

const FILE_ICONS: Record<FileLook, string> = { held: 'lock', edited: 'edit', unleased: 'warning', leftover: 'git-commit' };

type Node =
  | { kind: 'session'; session: SessionView }
  | { kind: 'file'; key: string; session?: string; worktree: string; detail: string; mine: boolean; held: boolean; look: FileLook; tooltip?: string }
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

  constructor(
    private readonly state: LockState,
    private readonly memory: MemoryModel,
  ) {
    this.view = vscode.window.createTreeView('lockstep.sessions', { treeDataProvider: this, showCollapseAll: true });
    this.disposables.push(this.view, this.emitter, state.onDidChange(() => this.refresh()), memory.onDidChange(() => this.refresh()));
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
      if (snap.unleased.some((u) => unowned(snap, u))) nodes.push({ kind: 'unleasedGroup' });
      return nodes;
    }
    if (node.kind === 'session') return filesOf(snap, node.session);
    if (node.kind === 'hookProblems') return snap.hooks.flatMap((hook) => hook.problems.map((problem): Node => ({ kind: 'hookProblem', hook, problem })));
    if (node.kind === 'unleasedGroup') {
      return snap.unleased.filter((u) => unowned(snap, u)).map((u) => unleasedNode(u));
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
        const unread = this.memory.unread(s.id);
        const waiting = unread > 0 ? `${plural(unread, 'message')} waiting` : undefined;
        item.description = [waiting, s.task ? `task ${s.task}` : undefined, wt, s.live ? `seen ${when}` : `ended${s.endReason ? `: ${s.endReason}` : ''}`, s.sources.join('+')]
          .filter(Boolean)
          .join(' · ');
        item.iconPath = new vscode.ThemeIcon(AGENT_ICONS[s.agent] ?? 'hubot', s.live ? undefined : new vscode.ThemeColor('disabledForeground'));
        item.tooltip = new vscode.MarkdownString(
          [`**${s.id}**`, `agent: ${s.agent}`, s.task ? `task: ${s.task}` : '', `worktree: ${s.worktree || '—'}`, `sources: ${s.sources.join(', ')}`,
            s.pid ? `agent process: ${s.pid}` : '', s.live ? `last seen ${when}` : `ended: ${s.endReason ?? ''}`,
            waiting ? `${waiting}: its agent receives them with its next tool call or prompt` : ''].filter(Boolean).join('  \n'),
        );
        item.contextValue = s.live ? 'lockstep.session.live' : 'lockstep.session.ended';
        item.id = `session:${s.id}`;
        return item;
      }
      case 'file': {
        const item = new vscode.TreeItem(node.key, vscode.TreeItemCollapsibleState.None);
        item.description = node.detail;
        item.iconPath = new vscode.ThemeIcon(FILE_ICONS[node.look]);
        if (node.tooltip) item.tooltip = node.tooltip;
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
        const item = new vscode.TreeItem('Unleased edits (escaped the hooks; no session in that worktree)', vscode.TreeItemCollapsibleState.Expanded);
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

/** An unleased edit listed under no session of the view (none in that worktree, none edited it or probably wrote it). */
function unowned(snap: Snapshot, u: UnleasedEdit): boolean {
  const shown = new Set(snap.sessions.map((s) => s.id));
  return ![...u.worktreeSessions, ...u.editedBy, ...(u.shellBy ? [u.shellBy] : [])].some((id) => shown.has(id));
}

function unleasedNode(u: UnleasedEdit, session?: string): Node {
  const how = u.shellBy ? ` · probably ${holderName(u.shellBy)} (shell)` : u.notWrittenByHolder ? ` · not by holder ${holderName(u.notWrittenByHolder)}` : '';
  const tooltip = [
    `Unleased edit (${u.change}): a write that escaped the hooks`,
    u.shellBy ? `probably ${u.shellBy}, through a shell command${u.shellCommand ? `: ${u.shellCommand}` : ''}` : '',
    u.notWrittenByHolder ? `${u.notWrittenByHolder} holds the file, but its recorded edits did not make this change` : '',
    u.heldBy ? `${u.heldBy} holds it in another worktree` : '',
  ].filter(Boolean).join('\n');
  return { kind: 'file', key: u.key, session, worktree: u.worktree, detail: `unleased ${u.change}${how}`, mine: false, held: false, look: 'unleased', tooltip };
}

function filesOf(snap: Snapshot, s: SessionView): Node[] {
  const now = Date.now();
  const out: Node[] = [];
  const seen = new Set<string>();
  for (const l of snap.leases.filter((x) => x.session === s.id)) {
    seen.add(l.key);
    out.push({ kind: 'file', key: l.key, session: s.id, worktree: s.worktree, detail: `locked · ${timeLeft(l.expiresAt, now)}`, mine: s.id === snap.userSession, held: true, look: 'held' });
  }
  // What the session left uncommitted when it stopped: its own work, not an escape.
  for (const e of (snap.endedWork ?? []).filter((x) => x.session === s.id)) {
    if (seen.has(e.key)) continue;
    seen.add(e.key);
    const tooltip = `Uncommitted work (${e.change}) of this ended session, made through its own recorded edits: commit or discard it`;
    out.push({ kind: 'file', key: e.key, session: s.id, worktree: e.worktree, detail: `uncommitted ${e.change} · left when the session ended`, mine: false, held: false, look: 'leftover', tooltip });
  }
  for (const u of snap.unleased.filter((x) => x.shellBy === s.id)) {
    if (seen.has(u.key)) continue;
    seen.add(u.key);
    out.push(unleasedNode(u, s.id));
  }
  for (const e of snap.edits.filter((x) => x.session === s.id)) {
    if (seen.has(e.key)) continue;
    seen.add(e.key);
    out.push({ kind: 'file', key: e.key, session: s.id, worktree: e.worktree, detail: `edited (${e.sources.join('+')})`, mine: false, held: false, look: 'edited' });
  }
  for (const u of snap.unleased.filter((x) => x.worktreeSessions.includes(s.id) || x.editedBy.includes(s.id))) {
    if (seen.has(u.key)) continue;
    seen.add(u.key);
    out.push(unleasedNode(u, s.id));
  }
  return out;
}
