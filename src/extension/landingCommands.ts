// Landing commands (palette and Scheduler tree actions): land tasks with a progress notification fed by
// the server's `lockstep/landingProgress`, a result notification that opens the landed commit, undo
// the last landing, and show a failed check's output. Documents open read-only (`lockstep-landing:`).
import * as vscode from 'vscode';
import {
  landingProgressNotification,
  LandingProgress,
  type LandTasksResult,
  type TaskView,
} from '../protocol/schedulerMethods';
import type { CommandSpec } from './commands';
import { offerCreatePlan } from './schedulerCommands';
import type { LockstepContext } from './lockstepContext';
import { plural } from '../core/plural';

const SCHEME = 'lockstep-landing';

/** Read-only documents by URI; the provider is registered once per extension host, on first use. */
class LandingDocuments implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;
  private registration: vscode.Disposable | undefined;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }

  async open(name: string, text: string): Promise<void> {
    this.registration ??= vscode.workspace.registerTextDocumentContentProvider(SCHEME, this);
    const uri = vscode.Uri.from({ scheme: SCHEME, path: `/${name}` });
    this.texts.set(uri.toString(), text);
    this.emitter.fire(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: true });
  }
}
const documents = new LandingDocuments();

/** The landed commit as `git show --stat`; with `since` (the target before), everything the landing added. */
export async function openCommit(ctx: LockstepContext, commit: string, since?: string): Promise<void> {
  const r = await ctx.client!.schedule('getCommitText', { commit, ...(since ? { since } : {}) });
  await documents.open(`${since ? 'landing' : 'commit'}-${commit.slice(0, 12)}.txt`, r.text);
}

export async function openCheckOutput(ctx: LockstepContext, id: string): Promise<void> {
  const r = await ctx.client!.schedule('getCheckOutput', { id });
  if (!r.exists) {
    const t = ctx.scheduler.task(id);
    const why = t?.state.status === 'failed' ? ` (it failed: ${t.state.reason})` : '';
    void vscode.window.showInformationMessage(`Lockstep: no check output is kept for '${id}'${why}; its landing check has not failed.`);
    return;
  }
  await documents.open(`${id}-check.log`, r.text);
}

/** Lands `ids` with a progress notification, then shows the result with its follow-up actions. */
async function runLanding(ctx: LockstepContext, ids: string[], atomic: boolean): Promise<void> {
  if (!(await ctx.planApproval.confirm(ctx.scheduler.current?.plan.file, `Landing ${ids.join(', ')}`))) return;
  const client = ctx.client!;
  const target = ctx.scheduler.current?.plan.target ?? 'the target';
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Lockstep: landing ${ids.join(', ')} on ${target}`, cancellable: false },
    async (progress) => {
      const sub = client.onNotification(landingProgressNotification.method, (raw) => {
        const p = LandingProgress.safeParse(raw);
        if (p.success) progress.report({ message: p.data.detail });
      });
      try {
        progress.report({ message: atomic ? 'all together or none' : 'one by one' });
        return await client.schedule('landTasks', { ids, atomic });
      } finally {
        sub.dispose();
      }
    },
  );
  ctx.output.appendLine(`Lockstep land ${ids.join(' ')}${atomic ? ' --atomic' : ''}: ${result.message}`);
  for (const r of result.removed) ctx.output.appendLine(`  removed ${r}`);
  for (const k of result.kept) ctx.output.appendLine(`  kept ${k.kind} ${k.name}: ${k.why}`);
  void showResult(ctx, result);
}

async function showResult(ctx: LockstepContext, r: LandTasksResult): Promise<void> {
  const moved = r.after !== undefined && r.after !== r.before;
  const kept = r.kept.length ? ` Kept ${r.kept.map((k) => `${k.kind} ${k.name} (${k.why})`).join(', ')}.` : '';
  const actions = [...(moved ? ['Show Commit'] : []), ...(r.culprit?.kind === 'check' ? ['Show Check Output'] : []), ...(r.ok && moved ? ['Undo'] : [])];
  const text = `Lockstep: ${r.message}.${kept}`;
  const choice = await (r.ok ? vscode.window.showInformationMessage(text, ...actions) : vscode.window.showErrorMessage(text, ...actions));
  if (choice === 'Show Commit' && r.after) await openCommit(ctx, r.after, r.before);
  if (choice === 'Show Check Output' && r.culprit) await openCheckOutput(ctx, r.culprit.task);
  if (choice === 'Undo') await vscode.commands.executeCommand('lockstep.undoLanding');
}

function taskOf(arg: unknown): TaskView | undefined {
  return (arg as { task?: TaskView } | undefined)?.task;
}

export const landingCommandTable: Record<string, CommandSpec> = {
  'lockstep.landTasks': {
    needsServer: true,
    async run(ctx, arg) {
      const fromTree = taskOf(arg);
      if (fromTree) return runLanding(ctx, [fromTree.id], true);
      if (ctx.scheduler.current && !ctx.scheduler.current.plan.exists) return offerCreatePlan();
      const landable = await ctx.client!.schedule('getLandableTasks', {});
      if (!landable.tasks.length) {
        void vscode.window.showInformationMessage(`Lockstep: no task can land now: none has commits on its lockstep/<id> branch that ${landable.target} lacks.`);
        return;
      }
      const picks = await vscode.window.showQuickPick(
        landable.tasks.map((t) => ({
          label: t.title,
          description: `${t.id} · ${t.status} · ${plural(t.ahead, 'commit')} ahead`,
          detail: `${t.branch} → ${landable.target} (phase ${t.phase})`,
          picked: t.status === 'finished',
          id: t.id,
        })),
        { canPickMany: true, title: `Land which tasks on ${landable.target}?`, placeHolder: 'dependencies land first, then plan order' },
      );
      if (!picks) return; // dismissed
      if (picks.length === 0) {
        // OK with every box unchecked: say so, rather than look as if the landing silently failed.
        void vscode.window.showInformationMessage('Lockstep: nothing landed: no task was checked.');
        return;
      }
      let atomic = true;
      if (picks.length > 1) {
        const mode = await vscode.window.showQuickPick(
          [
            { label: 'Atomically', description: 'all of them land together, or none does', atomic: true },
            { label: 'One by one', description: 'each lands on its own; stops at the first failure', atomic: false },
          ],
          { title: `Land ${picks.map((p) => p.id).join(', ')}: how?` },
        );
        if (!mode) return;
        atomic = mode.atomic;
      }
      await runLanding(ctx, picks.map((p) => p.id), atomic);
    },
  },
  'lockstep.landTask': {
    needsServer: true,
    async run(ctx, arg) {
      const t = taskOf(arg) ?? (typeof arg === 'string' ? ctx.scheduler.task(arg) : undefined);
      if (!t) return vscode.commands.executeCommand('lockstep.landTasks');
      await runLanding(ctx, [t.id], true);
    },
  },
  'lockstep.undoLanding': {
    needsServer: true,
    async run(ctx) {
      const target = ctx.scheduler.current?.plan.target ?? 'the target';
      const ok = await vscode.window.showWarningMessage(
        `Undo the last landing on ${target}? ${target} goes back to where it was before it, if nothing landed since; its tasks become finished again. Nothing is deleted.`,
        { modal: true },
        'Undo Landing',
      );
      if (ok !== 'Undo Landing') return;
      let r = await ctx.client!.schedule('undoLanding', {});
      if (!r.ok && r.dependents?.length) {
        // Task branches forked from the landing would carry its commits back: the same call, asked again.
        const names = r.dependents.map((d) => `${d.task} (${d.status})`).join(', ');
        const rebase = await vscode.window.showWarningMessage(
          `${names} ${r.dependents.length === 1 ? 'is' : 'are'} built on this landing. Undo it and rebase ${r.dependents.length === 1 ? 'that branch' : 'those branches'} onto ${target} without its commits? Their own commits are kept; a conflict or uncommitted changes cancel the whole undo.`,
          { modal: true },
          'Rebase and Undo',
        );
        if (rebase !== 'Rebase and Undo') return;
        r = await ctx.client!.schedule('undoLanding', { rebaseDependents: true });
      }
      ctx.output.appendLine(`Lockstep undo landing: ${r.message}`);
      if (r.ok) void vscode.window.showInformationMessage(`Lockstep: ${r.message}.`);
      else void vscode.window.showWarningMessage(`Lockstep: cannot undo: ${r.message}.`);
    },
  },
  'lockstep.showCheckOutput': {
    needsServer: true,
    async run(ctx, arg) {
      let id = taskOf(arg)?.id ?? (typeof arg === 'string' ? arg : undefined);
      if (!id) {
        const failed = (ctx.scheduler.current?.tasks ?? []).filter((t) => t.status === 'failed');
        if (!failed.length) return void vscode.window.showInformationMessage('Lockstep: no task has failed.');
        const pick = await vscode.window.showQuickPick(
          failed.map((t) => ({ label: t.title, description: t.id, detail: t.reasons.join('; ') || undefined, id: t.id })),
          { title: 'Show the check output of which task?' },
        );
        id = pick?.id;
      }
      if (id) await openCheckOutput(ctx, id);
    },
  },
};
