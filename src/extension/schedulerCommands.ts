// Scheduler commands (tree actions and palette). Each sends one request; the tree updates from the
// server's schedulerChanged notification, never from local guesses.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { PLAN_TEMPLATES } from '../core/planTemplates';
import type { TaskView } from '../protocol/schedulerMethods';
import type { CommandSpec } from './commands';
import { gitDocumentUri } from './matrixPanel';
import type { LockstepContext } from './lockstepContext';

/** Commands that need a plan, run before there is one: say so and offer to create it. */
export async function offerCreatePlan(): Promise<void> {
  const choice = await vscode.window.showInformationMessage('Lockstep: this repository has no plan yet (.lockstep/plan.yaml).', 'Create a Plan');
  if (choice === 'Create a Plan') await vscode.commands.executeCommand('lockstep.createPlan');
}

/** The task a command is about: a tree node, an id, or a pick. */
async function pickTask(ctx: LockstepContext, arg: unknown, title: string, filter: (t: TaskView) => boolean = () => true): Promise<TaskView | undefined> {
  const fromNode = (arg as { task?: TaskView } | undefined)?.task;
  if (fromNode) return fromNode;
  if (typeof arg === 'string') return ctx.scheduler.task(arg);
  const tasks = (ctx.scheduler.current?.tasks ?? []).filter(filter);
  if (!tasks.length) {
    void vscode.window.showInformationMessage('Lockstep: no task fits that action now.');
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    tasks.map((t) => ({ label: t.title, description: `${t.id} · ${t.status}`, detail: t.reasons.join('; ') || undefined, task: t })),
    { title },
  );
  return pick?.task;
}

function planUri(ctx: LockstepContext): vscode.Uri | undefined {
  const file = ctx.scheduler.current?.plan.file;
  if (file) return vscode.Uri.file(file);
  const root = ctx.state.current?.repo.root;
  return root ? vscode.Uri.file(path.join(root, '.lockstep', 'plan.yaml')) : undefined;
}

/**
 * Where a new plan opens. The walkthrough's toSide: button makes an empty side group for it, but
 * that group may become active only after the command ran, and focus goes back to the walkthrough's
 * group when the template pick closes: an empty group is the one to use, and the plan never covers
 * the walkthrough the user is following (seen in about 1 of 5 walkthrough e2e runs).
 */
function planColumn(ranIn: vscode.ViewColumn): vscode.ViewColumn {
  const groups = vscode.window.tabGroups;
  const empty = groups.all.find((g) => g.tabs.length === 0);
  if (empty) return empty.viewColumn;
  const target = groups.all.find((g) => g.viewColumn === ranIn) ?? groups.activeTabGroup;
  const isWalkthrough = (label: string | undefined) => /^Walkthrough\b/.test(label ?? '');
  return isWalkthrough(target.activeTab?.label) ? vscode.ViewColumn.Beside : target.viewColumn;
}

export const schedulerCommandTable: Record<string, CommandSpec> = {
  'lockstep.createPlan': {
    needsServer: true,
    async run(ctx) {
      const uri = planUri(ctx);
      if (!uri) return;
      const ranIn = vscode.window.tabGroups.activeTabGroup.viewColumn;
      try {
        await vscode.workspace.fs.stat(uri);
        void vscode.window.showInformationMessage('Lockstep: a plan already exists; opening it.');
        return void (await vscode.window.showTextDocument(uri));
      } catch {
        // no plan yet: offer the templates
      }
      const pick = await vscode.window.showQuickPick(
        PLAN_TEMPLATES.map((t) => ({ label: t.label, detail: t.detail, template: t })),
        { title: 'Lockstep: Create a Plan from…', matchOnDetail: true },
      );
      if (!pick) return;
      // The coordinator writes it: Lockstep's write for the user, so it is not an unleased edit.
      const target = ctx.scheduler.current?.plan.target;
      const r = await ctx.client!.schedule('createPlan', { template: pick.template.id, ...(target ? { target } : {}) });
      await vscode.window.showTextDocument(vscode.Uri.file(r.file), { viewColumn: planColumn(ranIn) });
    },
  },
  'lockstep.openPlan': {
    needsServer: false,
    async run(ctx, line) {
      const uri = planUri(ctx);
      if (!uri) return;
      if (!(await vscode.workspace.fs.stat(uri).then(() => true, () => false))) return offerCreatePlan();
      const editor = await vscode.window.showTextDocument(uri);
      if (typeof line === 'number' && line > 0) {
        const pos = new vscode.Position(line - 1, 0);
        editor.selection = new vscode.Selection(pos, pos);
        editor.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenter);
      }
    },
  },
  'lockstep.startTask': {
    needsServer: true,
    async run(ctx, arg) {
      const t = await pickTask(ctx, arg, 'Start which task?', (x) => x.status === 'queued' || x.status === 'ready');
      if (!t) return;
      if (!(await ctx.planApproval.confirm(ctx.scheduler.current?.plan.file, `Starting '${t.id}'`))) return;
      const r = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Lockstep: starting '${t.id}'`, cancellable: false },
        async (progress) => {
          progress.report({ message: t.readOnly ? 'launching the agent (read-only, no worktree)' : 'creating its branch and worktree, then launching the agent' });
          return ctx.client!.schedule('startTask', { id: t.id });
        },
      );
      const where = r.task.worktree ? ` in ${r.task.worktree}` : '';
      void vscode.window.showInformationMessage(`Lockstep: '${t.id}' is running${where}.${r.notes.length ? ` ${r.notes.join(' ')}` : ''}`);
    },
  },
  'lockstep.stopTask': {
    needsServer: true,
    async run(ctx, arg) {
      const t = await pickTask(ctx, arg, 'Stop which task?', (x) => x.status === 'running');
      if (!t) return;
      const r = await ctx.client!.schedule('stopTask', { id: t.id });
      void vscode.window.showInformationMessage(`Lockstep: '${t.id}' stopped; its branch and worktree are kept.${r.notes.length ? ` ${r.notes.join(' ')}` : ''}`);
    },
  },
  'lockstep.finishTask': {
    needsServer: true,
    async run(ctx, arg) {
      const t = await pickTask(ctx, arg, 'Mark which task finished?', (x) => x.status === 'running');
      if (!t) return;
      await ctx.client!.schedule('finishTask', { id: t.id });
    },
  },
  'lockstep.abandonTask': {
    needsServer: true,
    async run(ctx, arg) {
      const t = await pickTask(ctx, arg, 'Abandon which task?', (x) => x.status !== 'landed');
      if (!t) return;
      const ok = await vscode.window.showWarningMessage(
        `Abandon '${t.id}'? Its worktree is removed only if it has no uncommitted changes; its branch is kept unless merged.`,
        { modal: true },
        'Abandon',
      );
      if (ok !== 'Abandon') return;
      const r = await ctx.client!.schedule('abandonTask', { id: t.id });
      void vscode.window.showInformationMessage(`Lockstep: ${r.message}`);
    },
  },
  'lockstep.openTaskWorktree': {
    needsServer: false,
    async run(ctx, arg) {
      const t = await pickTask(ctx, arg, 'Open the worktree of which task?', (x) => !!x.worktree);
      if (t?.worktree) await vscode.commands.executeCommand('vscode.openFolder', vscode.Uri.file(t.worktree), { forceNewWindow: true });
    },
  },
  'lockstep.openTaskTerminal': {
    needsServer: false,
    async run(ctx, arg) {
      const t = await pickTask(ctx, arg, 'Open the terminal of which task?');
      if (!t) return;
      if (ctx.terminals.show(t.id)) return;
      const cwd = t.worktree ?? ctx.state.current?.repo.root;
      vscode.window.createTerminal({ name: `Lockstep: ${t.id} (shell)`, cwd, env: { LOCKSTEP_TASK: t.id } }).show();
    },
  },
  'lockstep.showTaskDiff': {
    needsServer: true,
    async run(ctx, arg) {
      const t = await pickTask(ctx, arg, 'Show the changes of which task?', (x) => !!x.branch);
      if (!t) return;
      const target = ctx.scheduler.current?.plan.target ?? 'main';
      const branch = t.branch ?? `lockstep/${t.id}`;
      const r = await ctx.client!.request('getBranchChanges', { base: target, branch });
      if (!r.files.length) return void vscode.window.showInformationMessage(`Lockstep: ${branch} has no changes against ${target} yet.`);
      const left = (key: string) => gitDocumentUri(r.mergeBase, key);
      const right = (key: string) => gitDocumentUri(branch, key);
      const title = `Task '${t.id}': ${branch} since it forked from ${target}`;
      try {
        // The multi-file diff editor (VS Code ≥ 1.87).
        await vscode.commands.executeCommand('vscode.changes', title, r.files.map((f) => [right(f.key), left(f.from ?? f.key), right(f.key)]));
      } catch {
        const pick = await vscode.window.showQuickPick(r.files.map((f) => ({ label: f.key, description: f.status, f })), { title });
        if (pick) await vscode.commands.executeCommand('vscode.diff', left(pick.f.from ?? pick.f.key), right(pick.f.key), `${pick.f.key} (${t.id})`);
      }
    },
  },
  'lockstep.addTask': {
    needsServer: true,
    async run(ctx) {
      const id = await vscode.window.showInputBox({ title: 'New task (1/4): id', prompt: 'lower-case letters, digits, . _ -', validateInput: (v) => (/^[a-z0-9][a-z0-9._-]{0,62}$/.test(v) ? undefined : 'lower-case letters, digits, . _ - (max 63)') });
      if (!id) return;
      const title = await vscode.window.showInputBox({ title: 'New task (2/4): title' });
      if (!title) return;
      const prompt = await vscode.window.showInputBox({ title: 'New task (3/4): prompt for the agent' });
      if (!prompt) return;
      const scope = await vscode.window.showInputBox({ title: 'New task (4/4): scope globs, comma-separated (empty = read-only task)', placeHolder: 'src/api/**, test/api/**' });
      if (scope === undefined) return;
      const globs = scope.split(',').map((s) => s.trim()).filter(Boolean);
      await ctx.client!.schedule('addTask', { task: { id, title, prompt, ...(globs.length ? { scope: globs } : { readOnly: true }) } });
      void vscode.window.showInformationMessage(`Lockstep: task '${id}' added to the plan.`);
    },
  },
  'lockstep.editTask': {
    needsServer: true,
    async run(ctx, arg) {
      const t = await pickTask(ctx, arg, 'Edit which task?');
      if (!t) return;
      const field = await vscode.window.showQuickPick(['title', 'prompt', 'scope', 'phase', 'dependsOn', 'agent'], { title: `Edit '${t.id}': which field?` });
      if (!field) return;
      const current = field === 'scope' ? t.scope.join(', ') : field === 'dependsOn' ? t.dependsOn.join(', ') : field === 'phase' ? String(t.phase) : field === 'agent' ? t.agent : field === 'title' ? t.title : '';
      const value = await vscode.window.showInputBox({ title: `Edit '${t.id}': ${field}`, value: current });
      if (value === undefined) return;
      const list = value.split(',').map((s) => s.trim()).filter(Boolean);
      const patch =
        field === 'scope' ? { scope: list } : field === 'dependsOn' ? { dependsOn: list } : field === 'phase' ? { phase: Number(value) } : field === 'agent' ? { agent: value || null } : field === 'title' ? { title: value } : { prompt: value };
      await ctx.client!.schedule('updateTask', { id: t.id, patch });
    },
  },
  'lockstep.removeTask': {
    needsServer: true,
    async run(ctx, arg) {
      const t = await pickTask(ctx, arg, 'Remove which task from the plan?');
      if (!t) return;
      const ok = await vscode.window.showWarningMessage(`Remove '${t.id}' from the plan file?`, { modal: true }, 'Remove');
      if (ok === 'Remove') await ctx.client!.schedule('removeTask', { id: t.id });
    },
  },
};
