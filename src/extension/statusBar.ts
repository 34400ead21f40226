// The status bar item: locks, live sessions and unleased edits; warning background when an
// unleased edit needs attention. Clicking opens the Sessions view.
import * as vscode from 'vscode';
import { holderName } from '../core/leaseNotice';
import type { LockState } from './lockState';

export type ServerState = 'starting' | 'running' | 'stopped' | 'notGit';

export class LockStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('lockstep.status', vscode.StatusBarAlignment.Left, 50);
  private readonly subscription: vscode.Disposable;
  private serverState: ServerState = 'starting';

  constructor(private readonly state: LockState) {
    this.item.name = 'Lockstep';
    this.item.command = 'lockstep.showSessions';
    this.subscription = state.onDidChange(() => this.render());
    this.render();
    this.item.show();
  }

  /** What the item shows now: its text and its tooltip as plain text (the test API reads it). */
  get shown(): { text: string; tooltip: string } {
    const t = this.item.tooltip;
    return { text: this.item.text, tooltip: typeof t === 'string' ? t : (t?.value ?? '').replace(/\\([\\`*_{}[\]()#+\-.!|<>])/g, '$1') };
  }

  setServerState(s: ServerState): void {
    this.serverState = s;
    this.render();
  }

  private render(): void {
    const snap = this.state.current;
    if (this.serverState === 'notGit') {
      this.item.hide();
      return;
    }
    this.item.show();
    if (this.serverState !== 'running' || !snap) {
      this.item.text = this.serverState === 'starting' ? '$(sync~spin) Lockstep' : '$(error) Lockstep: stopped';
      this.item.tooltip = this.serverState === 'starting' ? 'Lockstep coordinator is starting…' : 'Lockstep coordinator is not running. Click to see why.';
      this.item.backgroundColor = this.serverState === 'stopped' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
      return;
    }
    if (snap.config.storeProblem) {
      // Team mode with Redis out of reach: hooks answer per failOpen; nothing here is current.
      this.item.text = '$(debug-disconnect) Lockstep: store disconnected';
      this.item.tooltip = `${snap.config.storeProblem}\n\nAgents' edits are ${snap.config.failOpen ? 'allowed (fail-open)' : 'denied'} until it answers again.`;
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
      return;
    }
    const live = snap.sessions.filter((s) => s.live && s.id !== snap.userSession);
    const locks = snap.leases.length;
    const unleased = snap.unleased.length;
    const parts = [`$(lock) ${locks} ${locks === 1 ? 'lock' : 'locks'}`, `$(hubot) ${live.length} ${live.length === 1 ? 'session' : 'sessions'}`];
    if (unleased > 0) parts.push(`$(warning) ${unleased} unleased`);
    this.item.text = parts.join('  ');
    this.item.backgroundColor = unleased > 0 ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;

    const md = new vscode.MarkdownString(undefined, true);
    md.isTrusted = { enabledCommands: ['lockstep.showSessions', 'lockstep.showMatrix', 'lockstep.installHooks', 'lockstep.doctor', 'lockstep.claimFile'] };
    if (snap.config.store) md.appendMarkdown(`Team store ${escapeMd(snap.config.store)}\n\n`);
    md.appendMarkdown(`**Lockstep** — ${locks} ${locks === 1 ? 'lock' : 'locks'}, ${live.length} live ${live.length === 1 ? 'session' : 'sessions'}, ${unleased} unleased ${unleased === 1 ? 'edit' : 'edits'}\n\n`);
    const now = Date.now();
    for (const lease of snap.leases.slice(0, 12)) {
      const mins = Math.max(0, Math.ceil((lease.expiresAt - now) / 60_000));
      md.appendMarkdown(`- $(lock) \`${escapeMd(lease.key)}\` — ${escapeMd(holderName(lease.session))}${lease.task ? ` · task ${escapeMd(lease.task)}` : ''} · ${mins} min\n`);
    }
    if (snap.leases.length > 12) md.appendMarkdown(`- … and ${snap.leases.length - 12} more\n`);
    for (const u of snap.unleased.slice(0, 8)) {
      md.appendMarkdown(`- $(warning) \`${escapeMd(u.key)}\` changed without a lease (${escapeMd(u.change)})\n`);
    }
    md.appendMarkdown(`\n[Show Sessions](command:lockstep.showSessions) · [Show Conflict Matrix](command:lockstep.showMatrix) · [Install Agent Hooks](command:lockstep.installHooks) · [Doctor](command:lockstep.doctor)`);
    this.item.tooltip = md;
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}

function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (c) => `\\${c}`);
}
