// Every Lockstep command, from one table. Commands that need the coordinator get a
// "not running" variant that says so and offers the log and a restart.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { agentsOnPath } from '../agents/agentsOnMachine';
import { holderName } from '../core/leaseNotice';
import { HOOK_AGENT_NAMES } from '../core/model';
import type { LockstepContext } from './lockstepContext';

export type CommandSpec = {
  needsServer: boolean;
  run(ctx: LockstepContext, ...args: unknown[]): unknown;
};

const HOOK_AGENTS = HOOK_AGENT_NAMES;

export const commandTable: Record<string, CommandSpec> = {
  'lockstep.claimFile': {
    needsServer: true,
    async run(ctx, arg) {
      const uri = targetUri(arg) ?? (await pickFileToClaim());
      if (!uri) return;
      const result = await ctx.client!.request('claim', { paths: [uri.fsPath], ttlSeconds: ctx.config.claimTtlSeconds });
      if (result.ok) void vscode.window.showInformationMessage(`Lockstep: ${result.granted.concat(result.renewed).join(', ')} is yours; agents are denied edits to it.`);
      else void vscode.window.showWarningMessage(`Lockstep: could not claim — ${result.denials.map((d) => d.message).join(' ')}`);
    },
  },
  'lockstep.releaseFile': {
    needsServer: true,
    async run(ctx, arg) {
      const uri = targetUri(arg);
      if (!uri) return void vscode.window.showErrorMessage('Lockstep: open or select a file to release.');
      const result = await ctx.client!.request('release', { paths: [uri.fsPath] });
      if (result.released.length) void vscode.window.showInformationMessage(`Lockstep: released ${result.released.join(', ')}.`);
      else void vscode.window.showInformationMessage(`Lockstep: you hold no lock on ${result.notHeld.join(', ')}.`);
    },
  },
  'lockstep.forceRelease': {
    needsServer: true,
    async run(ctx, arg) {
      const snap = ctx.state.current;
      let key = typeof arg === 'string' ? arg : arg instanceof vscode.Uri ? ctx.state.keyOf(arg) : treeKey(arg);
      if (!key) {
        const others = (snap?.leases ?? []).filter((l) => l.session !== snap?.userSession);
        if (!others.length) return void vscode.window.showInformationMessage('Lockstep: no session holds a lock right now.');
        const pick = await vscode.window.showQuickPick(
          others.map((l) => ({ label: l.key, description: `${holderName(l.session)}${l.task ? ` · task ${l.task}` : ''}`, key: l.key })),
          { title: 'Force release which lock?' },
        );
        if (!pick) return;
        key = pick.key;
      }
      const lease = snap?.leases.find((l) => l.key === key);
      const who = lease ? holderName(lease.session) : 'its holder';
      const confirmedFence = lease?.fence;
      const confirm = await vscode.window.showWarningMessage(
        `Force release ${key}? ${who} loses its lock; its next edit is allowed only if nobody else holds the file.`,
        { modal: true },
        'Force Release',
      );
      if (confirm !== 'Force Release') return;
      const result = await ctx.client!.request('forceRelease', { key, reason: 'force-released from VS Code', expectFence: confirmedFence });
      const msg = result.changedHands
        ? `${result.key} changed hands while you confirmed (now held by ${holderName(result.holder ?? '')}); nothing was released.`
        : result.released
          ? `released ${result.key} (was held by ${holderName(result.holder ?? '')}).`
          : `${result.key} was not locked.`;
      void vscode.window.showInformationMessage(`Lockstep: ${msg}`);
    },
  },
  'lockstep.installHooks': {
    needsServer: true,
    async run(ctx) {
      const found = new Set<string>(agentsOnPath());
      const agents = await vscode.window.showQuickPick(
        HOOK_AGENTS.map((a) => ({ label: a, picked: found.has(a), ...(found.has(a) ? { description: 'found on this machine' } : {}) })),
        { canPickMany: true, title: 'Install Lockstep hooks for which agents? (those found on this machine are selected)' },
      );
      if (!agents?.length) return;
      const scope = await vscode.window.showQuickPick(
        [
          { label: 'project', description: "this repository's agent settings (shared with the team)" },
          { label: 'user', description: 'your home settings (every repository)' },
        ],
        { title: 'Where?' },
      );
      if (!scope) return;
      const lines: string[] = [];
      for (const a of agents) {
        const r = await ctx.client!.request('installHooks', { agent: a.label as (typeof HOOK_AGENTS)[number], scope: scope.label as 'project' | 'user' });
        lines.push(r.text);
      }
      ctx.output.appendLine(lines.join('\n'));
      void vscode.window.showInformationMessage(`Lockstep: ${lines.join(' ')}`);
      // The walkthrough's hooks step is done only now: a cancelled pick or a refused install leaves it open.
      void vscode.commands.executeCommand('setContext', 'lockstep.walkthrough.hooksInstalled', true);
    },
  },
  'lockstep.showSessions': {
    needsServer: false,
    async run() {
      await vscode.commands.executeCommand('lockstep.sessions.focus');
    },
  },
  'lockstep.doctor': {
    needsServer: true,
    async run(ctx) {
      const r = await ctx.client!.request('doctor', {});
      ctx.output.appendLine(r.text);
      ctx.output.show(true);
      const msg = r.ok ? 'Lockstep doctor: everything is healthy.' : 'Lockstep doctor found problems; see the Lockstep output.';
      void (r.ok ? vscode.window.showInformationMessage(msg) : vscode.window.showWarningMessage(msg));
    },
  },
  'lockstep.restartServer': {
    needsServer: false,
    async run(ctx) {
      await ctx.restart();
    },
  },
  'lockstep.showLog': {
    needsServer: false,
    run(ctx) {
      ctx.output.show();
    },
  },
  'lockstep.openLeasedFile': {
    needsServer: false,
    async run(_ctx, arg) {
      const uri = targetUri(arg);
      if (uri) await vscode.window.showTextDocument(uri, { preview: true });
    },
  },
  'lockstep.revealInExplorer': {
    needsServer: false,
    async run(_ctx, arg) {
      const uri = targetUri(arg);
      if (uri) await vscode.commands.executeCommand('revealInExplorer', uri);
    },
  },
  'lockstep.openSessionWorktree': {
    needsServer: false,
    async run(ctx, arg) {
      const id = typeof arg === 'string' ? arg : (arg as { session?: { id?: string } } | undefined)?.session?.id;
      const s = id ? ctx.state.session(id) : undefined;
      if (!s?.worktree) return void vscode.window.showInformationMessage('Lockstep: that session has no known worktree.');
      await vscode.commands.executeCommand('vscode.openFolder', vscode.Uri.file(s.worktree), { forceNewWindow: true });
    },
  },
  'lockstep.endSession': {
    needsServer: true,
    async run(ctx, arg) {
      const id = (arg as { session?: { id?: string } } | undefined)?.session?.id;
      if (!id) return;
      const r = await ctx.client!.request('endSession', { session: id, reason: 'ended from VS Code' });
      void vscode.window.showInformationMessage(
        r.ended ? `Lockstep: ended ${holderName(id)}${r.released.length ? `; released ${r.released.join(', ')}` : ''}.` : `Lockstep: ${holderName(id)} had already ended.`,
      );
    },
  },
};

export function registerCommands(ctx: LockstepContext, ...tables: Record<string, CommandSpec>[]): vscode.Disposable[] {
  const all = Object.assign({}, commandTable, ...tables) as Record<string, CommandSpec>;
  return Object.entries(all).map(([id, spec]) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      if (spec.needsServer && !ctx.client?.running) {
        const choice = await vscode.window.showErrorMessage(
          `Lockstep: the coordinator is not running${ctx.stoppedReason ? ` (${ctx.stoppedReason})` : ''}.`,
          'Show Log',
          'Restart Coordinator',
        );
        if (choice === 'Show Log') ctx.output.show();
        if (choice === 'Restart Coordinator') await ctx.restart();
        return;
      }
      try {
        return await spec.run(ctx, ...args);
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        ctx.output.appendLine(`${id} failed: ${msg}`);
        void vscode.window.showErrorMessage(`Lockstep: ${msg.split('\n')[0]}`);
      }
    }),
  );
}

/** The file a command is about: its argument (explorer, tree, CodeLens) or the active editor. */
function targetUri(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  const fromTree = arg as { resourceUri?: vscode.Uri; key?: string; worktree?: string } | undefined;
  if (fromTree?.resourceUri instanceof vscode.Uri) return fromTree.resourceUri;
  if (fromTree?.key && fromTree.worktree) return vscode.Uri.file(path.join(fromTree.worktree, ...fromTree.key.split('/')));
  return vscode.window.activeTextEditor?.document.uri;
}

/**
 * Claim File for Me with no file at hand (the walkthrough's button, the status bar's hover): the user
 * picks one, files open in editors first. undefined when they dismiss the pick.
 */
async function pickFileToClaim(): Promise<vscode.Uri | undefined> {
  const openByKey = new Map<string, vscode.Uri>();
  for (const tab of vscode.window.tabGroups.all.flatMap((g) => g.tabs)) {
    if (tab.input instanceof vscode.TabInputText && tab.input.uri.scheme === 'file') openByKey.set(tab.input.uri.toString(), tab.input.uri);
  }
  const open = [...openByKey.values()];
  const openKeys = new Set(openByKey.keys());
  const files = (await vscode.workspace.findFiles('**/*', undefined, 5000)).filter((u) => !openKeys.has(u.toString()));
  const item = (uri: vscode.Uri, isOpen: boolean) => ({
    label: vscode.workspace.asRelativePath(uri, false),
    ...(isOpen ? { description: 'open in an editor' } : {}),
    uri,
  });
  const items = [...open.map((u) => item(u, true)), ...files.map((u) => item(u, false)).sort((a, b) => a.label.localeCompare(b.label))];
  if (!items.length) return void vscode.window.showErrorMessage('Lockstep: this workspace has no file to claim.');
  const pick = await vscode.window.showQuickPick(items, { title: 'Claim which file? Agents will be denied edits to it.', matchOnDescription: true });
  return pick?.uri;
}

function treeKey(arg: unknown): string | undefined {
  const node = arg as { kind?: string; key?: string } | undefined;
  return node?.kind === 'file' ? node.key : undefined;
}
