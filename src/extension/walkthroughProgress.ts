// The "Get started with Lockstep" walkthrough completes each step by itself when the user has done it.
// Steps watch these context keys, set here from what the coordinator reports (not from clicks):
//   (lockstep.walkthrough.hooksInstalled is set by the Install Agent Hooks command once an install succeeded)
//   lockstep.walkthrough.agentSeen   an agent session (not your own) has reported through its hooks
//   lockstep.walkthrough.claimed     your own session holds a lease
//   lockstep.walkthrough.taskStarted a task of the plan has started (running or beyond)
//   lockstep.walkthrough.landed      a task has landed
// (the plan step uses lockstep.planState, set by the scheduler model)
import * as vscode from 'vscode';
import type { Config } from './config';
import type { LockState } from './lockState';
import type { SchedulerModel } from './schedulerView';

export class WalkthroughProgress implements vscode.Disposable {
  private readonly done = new Set<string>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(locks: LockState, scheduler: SchedulerModel, config: Config) {
    this.disposables.push(
      locks.onDidChange(() => {
        const snap = locks.current;
        if (!snap) return;
        const me = config.userSessionId;
        if (snap.sessions.some((s) => s.id !== me && s.agent !== 'vscode')) this.mark('agentSeen');
        if (snap.leases.some((l) => l.session === me)) this.mark('claimed');
      }),
      scheduler.onDidChange(() => {
        const tasks = scheduler.current?.tasks ?? [];
        if (tasks.some((t) => !['queued', 'ready', 'blocked'].includes(t.status))) this.mark('taskStarted');
        if (tasks.some((t) => t.status === 'landed' && !t.readOnly)) this.mark('landed');
      }),
    );
  }

  /** Once done, a step stays done for this window (undoing a landing does not un-learn it). */
  private mark(step: string): void {
    if (this.done.has(step)) return;
    this.done.add(step);
    void vscode.commands.executeCommand('setContext', `lockstep.walkthrough.${step}`, true);
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
