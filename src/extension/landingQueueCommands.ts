// The landing queue in VS Code (#17): pause, resume and "land the queue now" (palette and the Scheduler
// view's "Landing queue" node), and one notification per batch the queue ran (the server's
// `lockstep/landingQueueBatch`), whether this window asked for it or the coordinator ran it by itself.
import * as vscode from 'vscode';
import type { LandingQueueBatch } from '../protocol/schedulerMethods';
import type { CommandSpec } from './commands';
import { openCheckOutput, openCommit } from './landingCommands';
import type { LockstepContext } from './lockstepContext';
import { offerCreatePlan } from './schedulerCommands';

/** One notification per batch: what landed (Show Commit), or which task broke it (Show Check Output). */
export async function showQueueBatch(ctx: LockstepContext, b: LandingQueueBatch): Promise<void> {
  const r = b.result;
  ctx.output.appendLine(`Lockstep landing queue, batch ${b.ids.join(', ')}: ${r.message}`);
  const moved = r.after !== undefined && r.after !== r.before;
  const culprit = (r.culprits ?? []).find((c) => c.kind === 'check');
  const actions = [...(moved ? ['Show Commit'] : []), ...(culprit ? ['Show Check Output'] : [])];
  const text = `Lockstep queue: ${r.message}.`;
  const choice = await (r.ok ? vscode.window.showInformationMessage(text, ...actions) : vscode.window.showWarningMessage(text, ...actions));
  if (choice === 'Show Commit' && r.after) await openCommit(ctx, r.after, r.before);
  if (choice === 'Show Check Output' && culprit) await openCheckOutput(ctx, culprit.task);
}

/** The plan must exist and be valid for the queue to mean anything. */
function planReady(ctx: LockstepContext): boolean {
  const plan = ctx.scheduler.current?.plan;
  if (plan && !plan.exists) {
    void offerCreatePlan();
    return false;
  }
  if (plan && !plan.valid) {
    void vscode.window.showWarningMessage('Lockstep: the plan has problems; fix them first (see the Scheduler view).');
    return false;
  }
  return true;
}

export const landingQueueCommandTable: Record<string, CommandSpec> = {
  'lockstep.pauseLandingQueue': {
    needsServer: true,
    async run(ctx) {
      if (!planReady(ctx)) return;
      const q = await ctx.client!.schedule('pauseLandingQueue', { paused: true });
      void vscode.window.showInformationMessage(`Lockstep: the landing queue is paused${q.entries.some((e) => e.state === 'verifying') ? '; the batch under way finishes' : ''}. Nothing more lands until it is resumed.`);
    },
  },
  'lockstep.resumeLandingQueue': {
    needsServer: true,
    async run(ctx) {
      if (!planReady(ctx)) return;
      const current = ctx.scheduler.current?.queue;
      // With the queue enabled, resuming runs the plan's verify command: asked like a landing.
      if (current?.enabled && !(await ctx.planApproval.confirm(ctx.scheduler.current?.plan.file, 'Resuming the landing queue'))) return;
      const q = await ctx.client!.schedule('pauseLandingQueue', { paused: false });
      const waiting = q.entries.filter((e) => e.state === 'waiting').length;
      void vscode.window.showInformationMessage(
        `Lockstep: the landing queue is running${q.enabled ? (waiting ? `; ${waiting} waiting task${waiting === 1 ? '' : 's'} land now` : '') : ' (landingQueue.enabled is off in the plan: Land the Queue Now runs it)'}.`,
      );
    },
  },
  'lockstep.runLandingQueue': {
    needsServer: true,
    async run(ctx) {
      if (!planReady(ctx)) return;
      if (!(await ctx.planApproval.confirm(ctx.scheduler.current?.plan.file, 'Landing the queue'))) return;
      // Each batch is shown by its own notification (showQueueBatch); this says how the run ended.
      const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Lockstep: landing the queue' }, () => ctx.client!.schedule('runLandingQueue', {}));
      if (r.batches.length === 0) void vscode.window.showInformationMessage(`Lockstep: ${r.paused ? 'the landing queue is paused (Resume the Landing Queue)' : 'nothing waits in the landing queue'}.`);
    },
  },
};
