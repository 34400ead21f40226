// Tells the person at the editor what just happened, as notifications: tasks started, finished,
// failed, landed or put back by an undo, a phase opened, a task must wait for an overlapping one, an
// agent died and its locks were freed.
// The words come from core/announcements.ts; this only shows them (and opens the conflict matrix
// when tasks start running, if the user asked for that).
import * as vscode from 'vscode';
import { sessionAnnouncements, taskAnnouncements, type Announcement } from '../core/announcements';
import type { SchedulerState } from '../protocol/schedulerMethods';
import type { Config } from './config';
import type { LockState } from './lockState';
import type { SchedulerModel } from './schedulerView';

export class Announcer implements vscode.Disposable {
  private lastTasks: SchedulerState['tasks'] | undefined;
  private lastSessions: Parameters<typeof sessionAnnouncements>[0];
  private matrixOpened = false;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    scheduler: SchedulerModel,
    locks: LockState,
    private readonly config: Config,
    private readonly log: (line: string) => void,
  ) {
    this.disposables.push(
      scheduler.onDidChange(() => {
        const s = scheduler.current;
        const next = s?.plan.valid ? s.tasks : undefined;
        if (next) this.announce(taskAnnouncements(this.lastTasks, next, s?.plan.target));
        this.lastTasks = next;
        if (next?.some((t) => t.status === 'running')) this.openMatrixOnce();
      }),
      locks.onDidChange(() => {
        const snap = locks.current;
        if (!snap) return void (this.lastSessions = undefined);
        this.announce(sessionAnnouncements(this.lastSessions, snap));
        this.lastSessions = { sessions: snap.sessions, leases: snap.leases };
      }),
    );
  }

  private announce(list: Announcement[]): void {
    for (const a of list) {
      this.log(`Lockstep: ${a.text}`);
      if (!this.config.taskNotifications) continue;
      const actions = a.kind === 'failed' ? ['Show Check Output'] : a.kind === 'started' || a.kind === 'waiting' || a.kind === 'agent-died' ? ['Show Conflict Matrix'] : [];
      const show = a.severity === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
      void show(`Lockstep: ${a.text}`, ...actions).then((choice) => {
        if (choice === 'Show Check Output') void vscode.commands.executeCommand('lockstep.showCheckOutput', a.task);
        if (choice === 'Show Conflict Matrix') void vscode.commands.executeCommand('lockstep.showMatrix');
      });
    }
  }

  private openMatrixOnce(): void {
    if (this.matrixOpened || !this.config.openMatrixWhenTasksRun) return;
    this.matrixOpened = true;
    void vscode.commands.executeCommand('lockstep.showMatrix');
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
