// The "Decision Log" tree: the repository's notes (`lockstep note`, Lockstep: Add Note…), newest
// first, each with who wrote it, for which task, and when; optionally only one task's or one
// session's. Renders MemoryState; sends no requests.
import * as vscode from 'vscode';
import type { Note } from '../core/memory';
import { isHumanSession, shortSession } from '../core/leaseNotice';
import { plural } from '../core/plural';
import type { MemoryModel } from './memoryModel';

/** Only the notes of one task, or of one session (its author). */
export type DecisionLogFilter = { kind: 'task'; id: string } | { kind: 'session'; id: string };

type Node = { kind: 'note'; note: Note };

export class DecisionLogTree implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly view: vscode.TreeView<Node>;
  private readonly disposables: vscode.Disposable[] = [];
  private filterValue: DecisionLogFilter | undefined;

  constructor(private readonly model: MemoryModel) {
    this.view = vscode.window.createTreeView('lockstep.decisionLog', { treeDataProvider: this });
    this.disposables.push(this.view, this.emitter, model.onDidChange(() => this.refresh()));
  }

  get filter(): DecisionLogFilter | undefined {
    return this.filterValue;
  }

  setFilter(filter: DecisionLogFilter | undefined): void {
    this.filterValue = filter;
    void vscode.commands.executeCommand('setContext', 'lockstep.decisionLogFiltered', filter !== undefined);
    this.refresh();
  }

  private shown(): Note[] {
    const notes = this.model.current?.notes ?? [];
    const f = this.filterValue;
    if (!f) return notes;
    return notes.filter((n) => (f.kind === 'task' ? n.task === f.id : n.by === f.id));
  }

  private refresh(): void {
    const state = this.model.current;
    const f = this.filterValue;
    if (!state) this.view.description = undefined;
    else if (f) this.view.description = `${f.kind === 'task' ? `task ${f.id}` : authorName(f.id)}: ${plural(this.shown().length, 'note')}`;
    else this.view.description = plural(state.total, 'note');
    this.view.message = f && this.shown().length === 0 ? `No notes of ${f.kind === 'task' ? `task ${f.id}` : authorName(f.id)} yet.` : undefined;
    this.emitter.fire(undefined);
  }

  getChildren(node?: Node): Node[] {
    if (node) return [];
    return this.shown().map((note) => ({ kind: 'note', note }));
  }

  getTreeItem(node: Node): vscode.TreeItem {
    const n = node.note;
    const item = new vscode.TreeItem(n.text, vscode.TreeItemCollapsibleState.None);
    const when = new Date(n.at);
    item.description = [`#${n.n}`, authorName(n.by), n.task ? `task ${n.task}` : undefined, sameDay(when, new Date()) ? when.toLocaleTimeString() : when.toLocaleString()].filter(Boolean).join(' · ');
    // Plain text: what agents write is never rendered as markdown.
    item.tooltip = `${n.text}\n\n#${n.n} by ${n.by}${n.task ? `, task ${n.task}` : ''}, ${when.toLocaleString()}`;
    item.iconPath = new vscode.ThemeIcon('note');
    item.contextValue = 'lockstep.note';
    item.id = `note:${n.n}`;
    return item;
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/** `claude session 3f2a1b2c` for an agent; a person's session id as it is (`human:alice`, `vscode:bob`). */
function authorName(id: string): string {
  return isHumanSession(id) ? id : shortSession(id);
}
