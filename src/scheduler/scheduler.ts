// The scheduler at run time: reads `.lockstep/plan.yaml` and the tasks' run-time state from the
// store, asks the gate (core/gate.ts) what may start, and starts, stops, finishes, abandons and lands
// tasks. This is the facade the CLI and the coordinator hold; the work lives in one file per concern:
//   planDocument.ts   plan editing (read, validate, atomic rewrite; a running task keeps its scope)
//   planFromTemplate.ts  a new plan from a template
//   taskLifecycle.ts  start and its rollback, agents ending, reconcile, stop, abandon
//   landingFlow.ts    landable tasks, landing, clean-up after landing, interrupted landings
//   undoFlow.ts       undoing the last landing
//   taskViews.ts      how tasks are shown (status, reasons, pid)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decide, gateRuntime, nextToStart } from '../core/gate';
import { taskById, type TaskSpecInput } from '../core/plan';
import type { PlanTemplate } from '../core/planTemplates';
import type { TaskState } from '../core/task';
import { locateRepo } from '../repoPaths/repoLocator';
import type {
  AbandonTaskResult,
  CheckOutputResult,
  LandableTasksResult,
  LandingProgress,
  LandingQueueBatch,
  LandTasksResult,
  SchedulerState,
  StartTaskResult,
  TaskActionResult,
  TaskView,
  UndoLandingResult,
  ValidatePlanResult,
} from '../protocol/schedulerMethods';
import { openLeaseStore } from '../store/openLeaseStore';
import type { LeaseStore } from '../store/leaseStore';
import { exitRecordFile } from './agentSupervisor';
import { LandingFlow } from './landingFlow';
import { LandingQueue, type QueueRunResult, type QueueView } from './landingQueue';
import { PlanDocument, type PlanLoad } from './planDocument';
import { planFromTemplate } from './planFromTemplate';
import type { SchedulerContext, SchedulerOptions } from './schedulerContext';
import { SchedulerError, issueView, oneLine } from './schedulerError';
import { TaskLifecycle } from './taskLifecycle';
import { statusMap, unplannedView, viewsOf } from './taskViews';
import { TrackedScopeIndex } from './trackedScopeIndex';
import { undoLanding } from './undoFlow';
import { PhaseReports } from './phaseReports';

export { SchedulerError, issueView } from './schedulerError';
export type { SchedulerOptions } from './schedulerContext';
export { taskSessionId } from './taskLifecycle';
export type { LandTasksResult } from '../protocol/schedulerMethods';

export interface TickResult {
  started: StartTaskResult[];
  failed: { id: string; error: string }[];
}

export class Scheduler {
  readonly root: string;
  readonly commonDir: string;
  readonly planPath: string;
  readonly store: LeaseStore;
  private readonly plan: PlanDocument;
  private readonly scopeIndex: TrackedScopeIndex;
  private readonly lifecycle: TaskLifecycle;
  private readonly landing: LandingFlow;
  private readonly queue: LandingQueue;
  private readonly phaseReports: PhaseReports;
  private waiters: (() => void)[] = [];
  private ticking: Promise<TickResult> | undefined;
  private readonly log: (line: string) => void;

  constructor(private readonly opts: SchedulerOptions) {
    const location = locateRepo(opts.repoDir);
    this.root = location.worktreeRoot;
    this.commonDir = location.commonDir;
    this.store = opts.store ?? openLeaseStore(location.commonDir);
    this.scopeIndex = new TrackedScopeIndex(this.root, location.gitDir);
    this.log = opts.log ?? (() => undefined);
    this.plan = new PlanDocument({
      root: this.root,
      ...(opts.planFile !== undefined ? { planFile: opts.planFile } : {}),
      ...(opts.maxParallel !== undefined ? { maxParallel: opts.maxParallel } : {}),
      liveStatus: (id) => {
        const status = this.store.read().tasks[id]?.state.status;
        return this.lifecycle.isStarting(id) ? 'being started' : status === 'running' || status === 'landing' ? status : undefined;
      },
      changed: () => {
        opts.planWritten?.(this.planPath);
        this.changed();
      },
    });
    this.planPath = this.plan.path;
    const ctx: SchedulerContext = {
      opts,
      root: this.root,
      commonDir: this.commonDir,
      store: this.store,
      plan: this.plan,
      scopeIndex: this.scopeIndex,
      log: this.log,
      changed: () => this.changed(),
      isStarting: (id) => this.lifecycle.isStarting(id),
      list: () => this.list(),
      viewOf: (id) => this.viewOf(id),
      logFile: (task) => this.logFile(task),
      exitFile: (task) => this.exitFile(task),
    };
    this.lifecycle = new TaskLifecycle(ctx);
    this.landing = new LandingFlow(ctx);
    this.queue = new LandingQueue(ctx, this.landing);
    this.phaseReports = new PhaseReports(ctx);
  }

  /** The plan file as messages name it: relative to the checkout when inside it. */
  get planDisplayName(): string {
    return this.plan.displayName;
  }

  logFile(task: string): string {
    return path.join(this.store.dir, 'logs', `${task}.log`);
  }

  /** Where the agent's supervisor records how it ended (agentSupervisor.ts). */
  exitFile(task: string): string {
    return exitRecordFile(this.store.dir, task);
  }

  private changed(): void {
    this.phaseReports.check();
    try {
      this.opts.onChange?.();
    } catch (e) {
      this.log(`onChange: ${oneLine(e)}`);
    }
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Resolves at the next change this scheduler makes (an agent exit, a start…) or after `timeoutMs`. */
  waitForChange(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, timeoutMs);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.waiters.push(done);
    });
  }

  /** Agents this scheduler launched that are still running. */
  get runningHere(): string[] {
    return this.lifecycle.runningHere;
  }

  // ---- the plan (planDocument.ts) ---------------------------------------------------------------

  loadPlan(): PlanLoad {
    return this.plan.load();
  }

  /** Checks the plan file (or `text`) without changing anything. */
  validate(text?: string): ValidatePlanResult {
    return this.plan.validate(text);
  }

  /**
   * Rewrites the plan file with `edit(text)` (a planFile.ts helper), atomically. The helpers throw
   * PlanError when the result would be invalid; then nothing is written.
   */
  editPlan(edit: (text: string) => string): void {
    this.plan.edit(edit);
  }

  /** Writes a new plan from template `template`; refused, with nothing written, when a plan file exists. */
  createPlan(template: PlanTemplate['id'], target: string): void {
    const text = planFromTemplate(template, this.root, target);
    this.plan.edit(() => {
      // Checked in the edit, just before the write: a plan made meanwhile is never overwritten.
      if (fs.existsSync(this.planPath)) throw new SchedulerError(`${this.plan.displayName} already exists; nothing was written`);
      return text;
    });
  }

  /** Edits task `id` in the plan file; a running task's scope, readOnly and agent are refused (planDocument.ts). */
  updateTask(id: string, patch: Partial<TaskSpecInput>): void {
    this.plan.updateTask(id, patch);
  }

  /**
   * Records `session` as a lead of task `id`: it added or started the task through the fan-out
   * (lockstep task add, MCP task_add / task_start), so it is told when the task's phase is done.
   */
  recordLead(id: string, session: string): void {
    const load = this.plan.load();
    const phase = (load.ok ? taskById(load.plan, id)?.phase : undefined) ?? 1;
    this.store.transact((table) => {
      const rt = table.state.tasks[id] ?? { id, state: { status: 'queued' as const }, sessions: [] };
      if (rt.lead?.sessions.includes(session) && rt.lead.phase === phase) return;
      table.setTask({ ...rt, lead: { sessions: [...new Set([...(rt.lead?.sessions ?? []), session])], phase } });
    });
  }

  // ---- state -----------------------------------------------------------------------------------

  /** The plan (or its problems) and every task with status, the reasons it waits, branch and worktree. */
  async list(): Promise<SchedulerState> {
    this.reconcile();
    await this.settleInterruptedLandings();
    const p = this.plan.load();
    if (!p.ok) {
      return {
        plan: { file: this.planPath, exists: p.exists, valid: false, issues: p.issues.map(issueView), autoRun: false },
        tasks: [],
        maxParallel: this.opts.maxParallel ?? 1,
        running: 0,
      };
    }
    const plan = p.plan;
    const state = this.store.read();
    const index = await this.scopeIndex.get();
    const statuses = statusMap(plan, state);
    const decisions = decide(plan, gateRuntime(statuses), index, this.plan.maxParallel(plan));
    const tasks = viewsOf(plan, state, decisions, { pidOf: (id) => this.lifecycle.pidOf(id), logFile: (id) => this.logFile(id) });
    return {
      plan: { file: this.planPath, exists: true, valid: true, issues: [], target: plan.target, autoRun: plan.autoRun, worktreesRoot: this.plan.worktreesRoot(plan) },
      tasks,
      maxParallel: this.plan.maxParallel(plan),
      running: tasks.filter((t) => t.status === 'running').length,
    };
  }

  private async viewOf(id: string): Promise<TaskView> {
    const state = await this.list();
    return state.tasks.find((t) => t.id === id) ?? unplannedView(id, this.store.read().tasks[id], this.logFile(id));
  }

  // ---- the task lifecycle (taskLifecycle.ts) -----------------------------------------------------

  /** Running tasks whose agent has ended unheard, with what they would become (`lockstep doctor --check-only`). */
  endedUnheard(): { id: string; next: TaskState; why: string }[] {
    return this.lifecycle.endedUnheard();
  }

  /** Settles tasks marked running whose agent is gone without this scheduler hearing it. One transaction. */
  reconcile(): string[] {
    return this.lifecycle.reconcile();
  }

  /** Starts task `id` now; refused with the gate's reasons unless it is startable. */
  start(id: string): Promise<StartTaskResult> {
    return this.lifecycle.start(id);
  }

  /** Reports an agent exit heard from elsewhere (the coordinator's terminal launcher). */
  agentExited(id: string, exitCode: number | null): void {
    this.lifecycle.agentExited(id, exitCode);
  }

  /** Marks a task finished (running, or failed and judged done by a person); stops its agent if it still runs. */
  markFinished(id: string): Promise<TaskActionResult> {
    return this.lifecycle.markFinished(id);
  }

  /** Stops a running task's agent; the task goes back to queued with its branch and worktree kept. */
  stop(id: string): Promise<TaskActionResult> {
    return this.lifecycle.stop(id);
  }

  /** Stops every agent this scheduler launched (their tasks go back to queued). */
  stopAll(): Promise<void> {
    return this.lifecycle.stopAll();
  }

  /** Gives a task up (failed: "abandoned"), keeping a dirty worktree and an unmerged branch. */
  abandon(id: string): Promise<AbandonTaskResult> {
    return this.lifecycle.abandon(id);
  }

  // ---- auto-run ----------------------------------------------------------------------------------

  /**
   * Auto-run: starts the startable tasks in plan order up to the cap (only when the plan says
   * `autoRun: true`, or `force`). Concurrent calls share one pass.
   */
  tick(opts: { force?: boolean; retry?: readonly string[] } = {}): Promise<TickResult> {
    if (this.ticking) return this.ticking.then(() => this.tick(opts));
    this.ticking = this.tickOnce(opts).finally(() => {
      this.ticking = undefined;
    });
    return this.ticking;
  }

  private async tickOnce(opts: { force?: boolean; retry?: readonly string[] }): Promise<TickResult> {
    const result: TickResult = { started: [], failed: [] };
    this.reconcile();
    const p = this.plan.load();
    if (!p.ok || (!p.plan.autoRun && !opts.force)) return result;
    const plan = p.plan;
    const state = this.store.read();
    const index = await this.scopeIndex.get();
    const statuses = statusMap(plan, state);
    // Failed tasks the caller retries (lockstep run --retry-failed) wait like queued ones; start() retries them.
    for (const id of opts.retry ?? []) if (statuses[id] === 'failed') statuses[id] = 'queued';
    const picks = nextToStart(plan, gateRuntime(statuses), index, this.plan.maxParallel(plan)).filter((id) => !this.lifecycle.isStarting(id));
    const outcomes = await Promise.allSettled(picks.map((id) => this.start(id)));
    outcomes.forEach((o, i) => {
      if (o.status === 'fulfilled') result.started.push(o.value);
      else result.failed.push({ id: picks[i]!, error: oneLine(o.reason) });
    });
    return result;
  }

  // ---- landing (landingFlow.ts, undoFlow.ts) -----------------------------------------------------

  /** File keeping the output of a task's last failed landing check. */
  checkLogFile(task: string): string {
    return this.landing.checkLogFile(task);
  }

  /** The output of a task's last failed landing check ('' when none is kept). */
  checkOutput(id: string): CheckOutputResult {
    return this.landing.checkOutput(id);
  }

  /** Write tasks that can land now (finished or stopped short, with commits the target lacks). */
  landable(): Promise<LandableTasksResult> {
    return this.landing.landable();
  }

  /** Lands tasks on the plan's target in dependency then plan order, verified with the plan's verify command. */
  land(ids: readonly string[], opts: { atomic?: boolean; allowOutOfScope?: boolean; onProgress?: (p: LandingProgress) => void } = {}): Promise<LandTasksResult> {
    return this.landing.land(ids, opts);
  }

  /** The landing queue: who waits (in landing order), is held, is being verified, failed or landed (landingQueue.ts). */
  landingQueue(): Promise<QueueView> {
    return this.queue.view();
  }

  /** Lands what waits in the queue, batch after batch (each verified once, bisected when it fails). */
  runLandingQueue(opts: { onProgress?: (p: LandingProgress) => void; onBatch?: (b: LandingQueueBatch) => void } = {}): Promise<QueueRunResult> {
    return this.queue.run(opts);
  }

  /** Pauses (true) or resumes (false) the landing queue; a running batch finishes. */
  pauseLandingQueue(paused: boolean): boolean {
    return this.queue.setPaused(paused);
  }

  /** Settles tasks left `landing` by a process that died mid-landing. */
  settleInterruptedLandings(): Promise<string[]> {
    return this.landing.settleInterruptedLandings();
  }

  /** Undoes the last landing on the plan's target, naming or rebasing the task branches built on it (undoFlow.ts). */
  async undoLanding(opts: { rebaseDependents?: boolean } = {}): Promise<UndoLandingResult> {
    const plan = this.plan.require();
    return undoLanding({ root: this.root, commonDir: this.commonDir, store: this.store, plan, log: this.log, changed: () => this.changed() }, opts);
  }
}
