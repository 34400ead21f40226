// The scheduler at run time: reads `.lockstep/plan.yaml` and the tasks' run-time state from the
// store, asks the gate (core/gate.ts) what may start, and starts, stops, finishes, abandons and lands
// tasks. A write task gets its scope reserved, a worktree on `lockstep/<id>` from the target's tip,
// the plan's setup, the agent's hooks, a pre-registered session, and then its agent; a read-only task
// runs in this checkout with a read-only session. Every step that fails is rolled back, and nothing
// that holds work (a dirty worktree, an unmerged branch) is ever removed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { climbsOut } from '../core/pathKey';
import { ownRecord } from '../core/ownRecord';
import { isDeepStrictEqual } from 'node:util';
import { identifyProcess, processVerdict } from '../agents/agentProcess';
import { decide, gateRuntime, nextToStart } from '../core/gate';
import type { LeaseTable } from '../core/leaseTable';
import { LandingOrderError, landingOrder } from '../core/landingOrder';
import type { AgentName, LeaseTableState, ProcessIdentity } from '../core/model';
import { TaskId, resolveWorktreesRoot, taskBranch, taskById, type Plan, type TaskSpec, type TaskSpecInput } from '../core/plan';
import { DEFAULT_PLAN_FILE, PlanError, formatIssue, tryParsePlan, updateTask as updatePlanTask, type PlanIssue } from '../core/planFile';
import { TaskTransitionError, WAITING_STATUSES, describeState, transition, type TaskRuntime, type TaskState, type TaskStatus } from '../core/task';
import { runCheck } from '../git/checkCommand';
import { git } from '../git/gitRunner';
import { land, type LandingCulprit, type LandingResult, type LandingStep } from '../git/landing';
import { landedThroughMerge } from '../git/carriedCommits';
import { locateRepo } from '../git/repoLocator';
import { isAncestor, readBranch } from '../git/repository';
import { filesOutsideScope } from '../git/scopeCheck';
import { changedKeys, worktreeChanges } from '../git/status';
import { BranchNotMergedError, WorktreeDirtyError, WorktreeIgnoredFilesError, createTaskWorktree, deleteBranch, describeFiles, removeWorktree, type RemoveWorktreeOptions } from '../git/worktrees';
import type {
  AbandonTaskResult,
  CheckOutputResult,
  KeptItem,
  LandableTask,
  LandableTasksResult,
  LandingProgress,
  LandTasksResult,
  UndoLandingResult,
  PlanIssueView,
  SchedulerState,
  StartTaskResult,
  TaskActionResult,
  TaskView,
  ValidatePlanResult,
} from '../protocol/schedulerMethods';
import { openEmbeddedStore } from '../store/embeddedStore';
import type { LeaseStore } from '../store/leaseStore';
import { judgeExit, terminateProcess, type AgentExit, type AgentLauncher, type LaunchedAgent } from './agentLauncher';
import { exitRecordFile, readExitRecord } from './agentSupervisor';
import { AgentTemplateError, agentDialect, agentKeyOf, agentTemplate, expandTemplate } from './agentTemplates';
import { ensureLockstepShim, hookCommand, lockstepDistDir } from './lockstepBin';
import { removeStartMarker, startProgress, writeStartMarker } from './startMarker';
import { ensureTaskHooks, isTaskHookFile } from './taskHooks';
import { judgeRunningTask, type RunningVerdict } from './taskLiveness';
import { TrackedScopeIndex } from './trackedScopeIndex';
import { undoLanding } from './undoFlow';
import { carriedTasks, taskBranchTips } from './taskBranches';

/** A refused or failed scheduler operation. `message` is one line; details say more for --json/UI. */
export class SchedulerError extends Error {
  override readonly name = 'SchedulerError';
  constructor(
    message: string,
    readonly details: { reasons?: string[]; issues?: PlanIssueView[]; kept?: KeptItem[] } = {},
  ) {
    super(message);
  }
}

export interface SchedulerOptions {
  /** Any folder of the checkout whose `.lockstep/plan.yaml` drives the scheduler (read-only tasks run there). */
  repoDir: string;
  launcher: AgentLauncher;
  /** Default: the embedded store of the repository. */
  store?: LeaseStore;
  /** Plan file, absolute or relative to the checkout root. Default `.lockstep/plan.yaml`. */
  planFile?: string;
  /** Overrides the plan's maxParallel. */
  maxParallel?: number;
  /** Base environment of agents and setup commands. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** dist/ of the Lockstep whose CLI agents and hooks run. Default: this installation's. */
  distDir?: string;
  /** Kill a setup command after this long. Default 10 min. */
  setupTimeoutMs?: number;
  /** Kill the plan's verify command after this long when landing. Default 30 min. */
  verifyTimeoutMs?: number;
  log?: (line: string) => void;
  /**
   * Mailbox seam: delivers a notice to a task's agent (why its landing failed). No mailbox exists yet;
   * without this the notice goes to `log`.
   */
  notifyTask?: (task: string, message: string) => void;
  /** Called after every change this scheduler made (task state, plan file). */
  onChange?: () => void;
}

export interface TickResult {
  started: StartTaskResult[];
  failed: { id: string; error: string }[];
}

export type { LandTasksResult } from '../protocol/schedulerMethods';

type PlanLoad = { ok: true; plan: Plan; text: string } | { ok: false; exists: boolean; issues: PlanIssue[] };

/** A start that failed may be retried: these states accept a new start (the gate is asked as if queued). */
const RETRYABLE: readonly TaskStatus[] = ['failed', 'blocked', 'conflicted'];

/** A task worktree goes with the hook settings Lockstep put there (ignored files, never work). */
const REMOVE_TASK_WORKTREE: RemoveWorktreeOptions = { disposable: (_key, file) => isTaskHookFile(file) };

const REPO_SELECTING_ENV = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_COMMON_DIR', 'GIT_PREFIX', 'GIT_OBJECT_DIRECTORY', 'GIT_NAMESPACE'];

interface Handle {
  agent: LaunchedAgent;
  /** startedAt of the run it belongs to: an exit of an older run is ignored. */
  token: number;
  stopping: boolean;
}

function oneLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
}

export function issueView(i: PlanIssue): PlanIssueView {
  return { ...i, text: formatIssue(i) };
}

/** The scheduler's session id for a task: `<agent>:lockstep-<task>`. */
export function taskSessionId(agent: AgentName, task: string): string {
  return `${agent}:lockstep-${task}`;
}

export class Scheduler {
  readonly root: string;
  readonly commonDir: string;
  readonly planPath: string;
  readonly store: LeaseStore;
  private readonly scopeIndex: TrackedScopeIndex;
  private readonly handles = new Map<string, Handle>();
  private readonly starting = new Set<string>();
  private waiters: (() => void)[] = [];
  private ticking: Promise<TickResult> | undefined;
  private readonly log: (line: string) => void;

  constructor(private readonly opts: SchedulerOptions) {
    const location = locateRepo(opts.repoDir);
    this.root = location.worktreeRoot;
    this.commonDir = location.commonDir;
    this.store = opts.store ?? openEmbeddedStore(location.commonDir);
    this.planPath = path.resolve(this.root, opts.planFile ?? DEFAULT_PLAN_FILE);
    this.scopeIndex = new TrackedScopeIndex(this.root, location.gitDir);
    this.log = opts.log ?? (() => undefined);
  }

  /** The plan file as messages name it: relative to the checkout when inside it. */
  get planDisplayName(): string {
    const rel = path.relative(this.root, this.planPath);
    return climbsOut(rel) || path.isAbsolute(rel) ? this.planPath : rel.split(path.sep).join('/');
  }

  logFile(task: string): string {
    return path.join(this.store.dir, 'logs', `${task}.log`);
  }

  /** Where the agent's supervisor records how it ended (agentSupervisor.ts). */
  exitFile(task: string): string {
    return exitRecordFile(this.store.dir, task);
  }

  private promptFile(task: string): string {
    return path.join(this.store.dir, 'prompts', `${task}.md`);
  }

  private changed(): void {
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
    return [...this.handles.keys()];
  }

  // ---- the plan --------------------------------------------------------------------------------

  loadPlan(): PlanLoad {
    let text: string;
    try {
      text = fs.readFileSync(this.planPath, 'utf8');
    } catch (e) {
      const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
      const message = missing ? `no plan: create ${this.planDisplayName} (see lockstep plan validate --help)` : `cannot read: ${oneLine(e)}`;
      return { ok: false, exists: !missing, issues: [{ file: this.planDisplayName, line: 0, field: '', message }] };
    }
    const r = tryParsePlan(text, { file: this.planDisplayName, repoRoot: this.root });
    return r.ok ? { ok: true, plan: r.plan, text } : { ok: false, exists: true, issues: r.issues };
  }

  private requirePlan(): Plan {
    const p = this.loadPlan();
    if (!p.ok) {
      const views = p.issues.map(issueView);
      throw new SchedulerError(`${views[0]!.text}${views.length > 1 ? ` (and ${views.length - 1} more)` : ''}; nothing was started`, { issues: views });
    }
    return p.plan;
  }

  /** Checks the plan file (or `text`) without changing anything. */
  validate(text?: string): ValidatePlanResult {
    if (text === undefined) {
      const p = this.loadPlan();
      return p.ok ? { valid: true, issues: [] } : { valid: false, issues: p.issues.map(issueView) };
    }
    const r = tryParsePlan(text, { file: this.planDisplayName, repoRoot: this.root });
    return r.ok ? { valid: true, issues: [] } : { valid: false, issues: r.issues.map(issueView) };
  }

  /**
   * Rewrites the plan file with `edit(text)` (a planFile.ts helper), atomically. The helpers throw
   * PlanError when the result would be invalid; then nothing is written.
   */
  editPlan(edit: (text: string) => string): void {
    let text = '';
    try {
      text = fs.readFileSync(this.planPath, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new SchedulerError(`${this.planDisplayName}: cannot read: ${oneLine(e)}`);
    }
    let next: string;
    try {
      next = edit(text);
    } catch (e) {
      if (e instanceof PlanError) throw new SchedulerError(e.message, { issues: e.issues.map(issueView) });
      throw e;
    }
    fs.mkdirSync(path.dirname(this.planPath), { recursive: true });
    const tmp = `${this.planPath}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, next);
    fs.renameSync(tmp, this.planPath);
    this.changed();
  }

  /**
   * Edits task `id` in the plan file with `patch` (null-free; undefined removes a field). A running task
   * keeps its scope, readOnly and agent: its reservation, worktree, hooks and session were made from
   * them, so changing one is refused (one line) until it is stopped or finished; other fields may change.
   */
  updateTask(id: string, patch: Partial<TaskSpecInput>): void {
    const file = this.planDisplayName;
    this.editPlan((text) => {
      const next = updatePlanTask(text, id, patch, { file });
      const status = this.store.read().tasks[id]?.state.status;
      const live = this.starting.has(id) ? 'being started' : status === 'running' || status === 'landing' ? status : undefined;
      if (!live) return next;
      const before = tryParsePlan(text, { file, repoRoot: this.root });
      const after = tryParsePlan(next, { file, repoRoot: this.root });
      const was = before.ok ? taskById(before.plan, id) : undefined;
      const now = after.ok ? taskById(after.plan, id) : undefined;
      const same = (f: (t: TaskSpec) => unknown) => was !== undefined && now !== undefined && isDeepStrictEqual(f(was), f(now));
      const changed = [
        ...(same((t) => t.scope) ? [] : ['scope']),
        ...(same((t) => t.readOnly) ? [] : ['readOnly']),
        ...(same((t) => agentKeyOf(t)) ? [] : ['agent']),
      ];
      if (changed.length > 0) throw new SchedulerError(`cannot change ${changed.join(', ')} of '${id}': it is ${live}; stop or finish it first`);
      return next;
    });
  }

  private maxParallel(plan: Plan): number {
    return this.opts.maxParallel ?? plan.maxParallel;
  }

  private worktreesRoot(plan: Plan): string {
    const r = resolveWorktreesRoot(plan.worktreesRoot, this.root);
    if (!r.ok) throw new SchedulerError(`worktreesRoot: ${r.message}`);
    return r.path;
  }

  // ---- state -----------------------------------------------------------------------------------

  private statusMap(plan: Plan, state: LeaseTableState): Record<string, TaskStatus | undefined> {
    const out: Record<string, TaskStatus | undefined> = ownRecord();
    for (const t of plan.tasks) out[t.id] = state.tasks[t.id]?.state.status;
    return out;
  }

  private viewsOf(plan: Plan, state: LeaseTableState, decisions: ReturnType<typeof decide>): TaskView[] {
    return plan.tasks.map((t) => {
      const rt = state.tasks[t.id];
      const st: TaskState = rt?.state ?? { status: 'queued' };
      const d = decisions.get(t.id) ?? { startable: false, reasons: [] };
      const waiting = WAITING_STATUSES.includes(st.status);
      const status: TaskStatus = waiting ? (d.startable ? 'ready' : 'queued') : st.status;
      const reasons = waiting ? d.reasons : stoppedReasons(st);
      let pid: number | undefined;
      if (st.status === 'running') {
        pid = this.handles.get(t.id)?.agent.pid;
        for (const s of rt?.sessions ?? []) pid ??= state.sessions[s]?.process?.pid;
      }
      return {
        id: t.id,
        title: t.title,
        agent: agentKeyOf(t),
        phase: t.phase,
        readOnly: t.readOnly,
        scope: t.scope,
        dependsOn: t.dependsOn,
        status,
        state: st,
        startable: waiting && d.startable,
        reasons,
        ...(rt?.branch ? { branch: rt.branch } : {}),
        ...(rt?.worktree ? { worktree: rt.worktree } : {}),
        sessions: rt?.sessions ?? [],
        ...(pid !== undefined ? { pid } : {}),
        logFile: this.logFile(t.id),
        ...(rt?.startedAt !== undefined ? { startedAt: rt.startedAt } : {}),
        ...(rt?.finishedAt !== undefined ? { finishedAt: rt.finishedAt } : {}),
        ...(rt?.landedAt !== undefined ? { landedAt: rt.landedAt } : {}),
      };
    });
  }

  /** The plan (or its problems) and every task with status, the reasons it waits, branch and worktree. */
  async list(): Promise<SchedulerState> {
    this.reconcile();
    await this.settleInterruptedLandings();
    const p = this.loadPlan();
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
    const statuses = this.statusMap(plan, state);
    const decisions = decide(plan, gateRuntime(statuses), index, this.maxParallel(plan));
    const tasks = this.viewsOf(plan, state, decisions);
    return {
      plan: { file: this.planPath, exists: true, valid: true, issues: [], target: plan.target, autoRun: plan.autoRun, worktreesRoot: this.worktreesRoot(plan) },
      tasks,
      maxParallel: this.maxParallel(plan),
      running: tasks.filter((t) => t.status === 'running').length,
    };
  }

  private async viewOf(id: string): Promise<TaskView> {
    const state = await this.list();
    const found = state.tasks.find((t) => t.id === id);
    if (found) return found;
    // Not (or no longer) in the plan: what the store knows.
    const rt = this.store.read().tasks[id];
    const st: TaskState = rt?.state ?? { status: 'queued' };
    return {
      id,
      title: id,
      agent: '',
      phase: 0,
      readOnly: false,
      scope: [],
      dependsOn: [],
      status: st.status,
      state: st,
      startable: false,
      reasons: ['not in the plan'],
      ...(rt?.branch ? { branch: rt.branch } : {}),
      ...(rt?.worktree ? { worktree: rt.worktree } : {}),
      sessions: rt?.sessions ?? [],
      logFile: this.logFile(id),
    };
  }

  /** Whether running task `rt` (launched elsewhere) still has its agent at work; see taskLiveness.ts. */
  private judgeRunning(rt: TaskRuntime, state: LeaseTableState): RunningVerdict {
    return judgeRunningTask({
      rt,
      sessions: rt.sessions.map((s) => state.sessions[s]),
      exitRecord: () => readExitRecord(this.exitFile(rt.id), rt.startedAt),
      verdict: processVerdict,
    });
  }

  /** Running tasks whose agent has ended unheard, with what they would become (`lockstep doctor --check-only`). */
  endedUnheard(): { id: string; next: TaskState; why: string }[] {
    const state = this.store.read();
    const out: { id: string; next: TaskState; why: string }[] = [];
    for (const rt of Object.values(state.tasks)) {
      if (rt.state.status !== 'running' || this.handles.has(rt.id) || this.starting.has(rt.id)) continue;
      if (startProgress(this.store.dir, rt.id).state !== 'none') continue;
      const v = this.judgeRunning(rt, state);
      if (v.ended) out.push({ id: rt.id, next: v.next, why: v.why });
    }
    return out;
  }

  /**
   * Settles tasks marked running whose agent is gone without this scheduler hearing it: a start
   * interrupted by a crash (failed, so a new start repairs and resumes), or an agent that ended
   * (finished only when its supervisor recorded exit code 0; failed otherwise, "without a status" when
   * nothing recorded how). Every running task's agent is checked, leases or not. One transaction.
   */
  reconcile(): string[] {
    const settled: string[] = [];
    const interrupted: string[] = [];
    const plan = this.loadPlan();
    const readOnly = (id: string) => (plan.ok ? taskById(plan.plan, id)?.readOnly === true : false);
    this.store.transact((table) => {
      for (const rt of Object.values(table.state.tasks)) {
        if (rt.state.status !== 'running' || this.handles.has(rt.id) || this.starting.has(rt.id)) continue;
        const progress = startProgress(this.store.dir, rt.id);
        if (progress.state === 'in-progress') continue;
        if (progress.state === 'interrupted') {
          this.settle(table, rt, { status: 'failed', reason: `start interrupted: ${progress.reason}; start it again to repair and resume` }, 'start interrupted');
          interrupted.push(rt.id);
          settled.push(rt.id);
          continue;
        }
        const v = this.judgeRunning(rt, table.state);
        if (!v.ended) continue;
        this.settle(table, rt, v.next, `agent gone: ${v.why}`, readOnly(rt.id));
        settled.push(rt.id);
      }
    });
    for (const id of interrupted) removeStartMarker(this.store.dir, id);
    if (settled.length > 0) this.changed();
    return settled;
  }

  /** Moves a running task to `next`, releasing its reservation and ending its sessions (leases freed). */
  private settle(table: LeaseTable, rt: TaskRuntime, next: TaskState, why: string, readOnly = false): TaskRuntime {
    const now = Date.now();
    const state = transition(rt.id, rt.state, next, { readOnly });
    let updated: TaskRuntime = { ...rt, state, ...(state.status === 'finished' || state.status === 'failed' ? { finishedAt: now } : {}) };
    table.setTask(updated);
    table.unreserve(rt.id);
    for (const s of rt.sessions) table.endSession(s, `task ${rt.id}: ${why}`);
    if (readOnly && state.status === 'finished') {
      // Nothing to merge: a read-only task lands as soon as it finishes.
      updated = { ...updated, state: transition(rt.id, state, { status: 'landed' }, { readOnly: true }), landedAt: now };
      table.setTask(updated);
    }
    return updated;
  }

  // ---- start -------------------------------------------------------------------------------------

  /** Starts task `id` now; refused with the gate's reasons unless it is startable. */
  async start(id: string): Promise<StartTaskResult> {
    const idCheck = TaskId.safeParse(id);
    if (!idCheck.success) throw new SchedulerError(`task id ${JSON.stringify(id)}: ${idCheck.error.issues[0]!.message}`);
    this.reconcile();
    const plan = this.requirePlan();
    const spec = taskById(plan, id);
    if (!spec) throw new SchedulerError(`unknown task '${id}' (not in ${this.planDisplayName})`);
    if (this.starting.has(id)) throw new SchedulerError(`task '${id}' is already being started`);

    let template: string[];
    try {
      template = agentTemplate(plan, spec, this.opts.launcher.mode);
    } catch (e) {
      if (e instanceof AgentTemplateError) throw new SchedulerError(`cannot start '${id}': ${e.message}`);
      throw e;
    }
    const dialect = agentDialect(agentKeyOf(spec), template);
    const sessionId = taskSessionId(dialect ?? 'custom', id);
    const index = await this.scopeIndex.get();

    let write: { tip: string; wtPath: string; branch: string; branchExisted: boolean } | undefined;
    if (!spec.readOnly) {
      const tip = await readBranch(this.root, plan.target);
      if (!tip) throw new SchedulerError(`cannot start '${id}': target: branch ${plan.target} does not exist`);
      const branch = taskBranch(id);
      write = { tip, branch, wtPath: path.join(this.worktreesRoot(plan), id), branchExisted: (await readBranch(this.root, branch)) !== undefined };
    }

    // 1. One transaction: gate check, running, scope reserved. Nothing else changed yet.
    this.starting.add(id);
    writeStartMarker(this.store.dir, id);
    let prior: TaskRuntime | undefined;
    let startedAt = 0;
    try {
      this.store.transact((table) => {
        prior = table.state.tasks[id];
        const current: TaskState = prior?.state ?? { status: 'queued' };
        const statuses = this.statusMap(plan, table.state);
        if (RETRYABLE.includes(current.status)) statuses[id] = 'queued';
        const d = decide(plan, gateRuntime(statuses), index, this.maxParallel(plan)).get(id)!;
        if (!d.startable) throw new SchedulerError(`cannot start '${id}': ${d.reasons.join('; ')}`, { reasons: d.reasons });
        const state = transition(id, current, { status: 'running' });
        startedAt = Math.max(Date.now(), (prior?.startedAt ?? 0) + 1);
        if (table.liveSession(sessionId)) table.endSession(sessionId, `task ${id} restarted`);
        table.setTask({
          id,
          state,
          sessions: [sessionId],
          startedAt,
          ...(write ? { branch: write.branch, worktree: write.wtPath } : {}),
        });
        if (write) table.reserve({ task: id, globs: spec.scope, sessions: [sessionId], worktree: write.wtPath });
      });
    } catch (e) {
      this.starting.delete(id);
      removeStartMarker(this.store.dir, id);
      if (e instanceof TaskTransitionError) throw new SchedulerError(`cannot start '${id}': ${e.message}`);
      throw e;
    }
    this.changed();

    const notes: string[] = [];
    if (prior?.state.status === 'failed') notes.push(`retrying: it had failed (${prior.state.reason})${write ? '; its branch and worktree are kept' : ''}`);
    let worktreeMade: string | undefined;
    let launched: LaunchedAgent | undefined;
    try {
      let cwd = this.root;
      if (write) {
        fs.mkdirSync(path.dirname(write.wtPath), { recursive: true });
        const wt = await createTaskWorktree({ repoDir: this.root, taskId: id, path: write.wtPath, startPoint: write.tip });
        if (!wt.existing) worktreeMade = wt.path;
        if (wt.repaired) notes.push(`repaired a worktree left half-created at ${wt.path}`);
        if (wt.existing) notes.push(`reused the existing worktree ${wt.path}`);
        if (wt.reusedBranch) notes.push(`continued on the existing branch ${wt.branch} (its commits kept)`);
        else notes.push(`created branch ${wt.branch} from ${plan.target} (${write.tip.slice(0, 12)})`);
        if (wt.submodulesInitialized) notes.push('initialized submodules in the worktree');
        cwd = wt.path;
        if (wt.path !== write.wtPath) {
          this.store.transact((table) => {
            const rt = table.state.tasks[id];
            if (rt) table.setTask({ ...rt, worktree: wt.path });
            const r = table.state.reservations[id];
            if (r) table.reserve({ task: id, globs: r.globs, sessions: r.sessions, worktree: wt.path });
          });
        }
        await this.runSetup(plan, id, cwd);
        if (plan.setup.length > 0) notes.push(`ran ${plan.setup.length} setup command${plan.setup.length > 1 ? 's' : ''}`);
      }
      if (dialect) {
        const hooks = await ensureTaskHooks({ agent: dialect, worktree: cwd, commonDir: this.commonDir, command: hookCommand(dialect, this.distDir()), mainCheckout: !write });
        notes.push(hooks.note);
      } else {
        notes.push(`agent '${agentKeyOf(spec)}' speaks no known hook dialect: its edits are not checked before they happen`);
      }

      // 2. The session the agent's hooks will report as (LOCKSTEP_SESSION), known before it starts.
      this.store.transact((table) => {
        table.touchSession({ id: sessionId, agent: dialect ?? 'custom', cwd, worktree: cwd, task: id, readOnly: spec.readOnly, source: 'scheduler' });
      });

      const promptFile = this.promptFile(id);
      fs.mkdirSync(path.dirname(promptFile), { recursive: true });
      fs.writeFileSync(promptFile, spec.prompt);
      const argv = expandTemplate(template, { prompt: spec.prompt, promptFile });
      const env = this.agentEnv(spec, sessionId);
      launched = await this.opts.launcher.launch({ task: id, cwd, argv, env, logFile: this.logFile(id), statusFile: this.exitFile(id), run: startedAt });
      const handle: Handle = { agent: launched, token: startedAt, stopping: false };
      this.handles.set(id, handle);
      void launched.exited.then((exit) => this.onAgentExit(id, handle, exit));

      // 3. The agent's process, so its session (and leases) end when it does, whoever notices first;
      // and its supervisor's, so an agent gone without a recorded exit is told from one about to be recorded.
      const identity = launched.pid !== undefined ? identifyProcess(launched.pid) : undefined;
      const supervisor = launched.supervisorPid !== undefined ? identifyProcess(launched.supervisorPid) : undefined;
      if (identity || supervisor) {
        this.store.transact((table) => {
          if (identity) table.touchSession({ id: sessionId, agent: dialect ?? 'custom', cwd, worktree: cwd, task: id, readOnly: spec.readOnly, source: 'scheduler', process: identity });
          const rt = table.state.tasks[id];
          if (supervisor && rt && rt.startedAt === startedAt) table.setTask({ ...rt, supervisor });
        });
      }
      removeStartMarker(this.store.dir, id);
      this.starting.delete(id);
      this.changed();
      this.log(`started ${id}${launched.pid ? ` (pid ${launched.pid})` : ''}`);
      return { task: await this.viewOf(id), notes, ...(launched.pid !== undefined ? { pid: launched.pid } : {}), logFile: this.logFile(id) };
    } catch (e) {
      const reason = oneLine(e);
      const kept = await this.rollbackStart(id, plan, sessionId, prior, write, worktreeMade, launched, reason);
      removeStartMarker(this.store.dir, id);
      this.starting.delete(id);
      this.changed();
      const keptText = kept.length > 0 ? `; kept ${kept.map((k) => `${k.kind} ${k.name} (${k.why})`).join(', ')}` : '';
      throw new SchedulerError(`cannot start '${id}': ${reason}${keptText}`, { kept });
    }
  }

  private distDir(): string {
    return this.opts.distDir ?? lockstepDistDir();
  }

  private agentEnv(spec: TaskSpec, sessionId: string): Record<string, string> {
    const base = this.opts.env ?? process.env;
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(base)) if (v !== undefined) env[k] = v;
    for (const k of REPO_SELECTING_ENV) delete env[k];
    // The launcher sets it to the agent's own pid; an inherited one would name another process.
    delete env.LOCKSTEP_AGENT_PID;
    delete env.LOCKSTEP_READ_ONLY;
    const dist = this.distDir();
    const shim = ensureLockstepShim(this.store.dir, dist);
    env.PATH = [dist, ...(shim ? [shim] : []), env.PATH ?? ''].filter(Boolean).join(path.delimiter);
    env.LOCKSTEP_TASK = spec.id;
    env.LOCKSTEP_SESSION = sessionId;
    if (spec.readOnly) env.LOCKSTEP_READ_ONLY = '1';
    return env;
  }

  private async runSetup(plan: Plan, id: string, cwd: string): Promise<void> {
    const log = this.logFile(id);
    fs.mkdirSync(path.dirname(log), { recursive: true });
    const env = this.agentEnv(taskById(plan, id)!, '');
    delete env.LOCKSTEP_SESSION;
    for (const command of plan.setup) {
      const r = await runCheck({ command, timeoutMs: this.opts.setupTimeoutMs ?? 600_000, maxOutputBytes: 256 * 1024 }, { cwd, env });
      fs.appendFileSync(log, `--- ${new Date().toISOString()} lockstep: setup ${JSON.stringify(command)} → ${r.ok ? 'ok' : `failed (${r.timedOut ? 'timed out' : r.spawnError ?? `exit ${r.exitCode ?? r.signal}`})`}\n${r.output}`);
      if (!r.ok) {
        const last = r.output.trim().split('\n').pop() ?? '';
        const why = r.spawnError ? `could not start ${command[0]} (${r.spawnError})` : r.timedOut ? 'timed out' : `exit ${r.exitCode ?? r.signal}`;
        throw new Error(`setup ${JSON.stringify(command)} failed: ${why}${last ? `: ${last.slice(0, 200)}` : ''} (log: ${log})`);
      }
    }
  }

  /** Undoes what a failed start did; returns what it kept (a branch with commits, a worktree with changes). */
  private async rollbackStart(
    id: string,
    plan: Plan,
    sessionId: string,
    prior: TaskRuntime | undefined,
    write: { branch: string; branchExisted: boolean; wtPath: string } | undefined,
    worktreeMade: string | undefined,
    launched: LaunchedAgent | undefined,
    reason: string,
  ): Promise<KeptItem[]> {
    const handle = this.handles.get(id);
    if (handle) handle.stopping = true;
    if (launched) await launched.stop().catch(() => undefined);
    this.handles.delete(id);
    const kept: KeptItem[] = [];
    let worktree: string | undefined = prior?.worktree;
    let branch: string | undefined = prior?.branch;
    if (write) {
      worktree = worktreeMade ?? (fs.existsSync(write.wtPath) ? write.wtPath : prior?.worktree);
      branch = write.branch;
      if (worktreeMade) {
        try {
          await removeWorktree(worktreeMade, REMOVE_TASK_WORKTREE);
          worktree = prior?.worktree;
        } catch (e) {
          kept.push({ kind: 'worktree', name: worktreeMade, why: e instanceof WorktreeDirtyError ? `uncommitted changes: ${e.files.slice(0, 5).join(', ')}` : e instanceof WorktreeIgnoredFilesError ? `ignored files that may be work: ${describeFiles(e.files, 5)}` : oneLine(e) });
        }
      }
      if (!write.branchExisted && (await readBranch(this.root, write.branch))) {
        try {
          await deleteBranch(this.root, write.branch, plan.target);
          branch = prior?.branch;
        } catch (e) {
          kept.push({ kind: 'branch', name: write.branch, why: e instanceof BranchNotMergedError ? e.message.replace(/; not deleted$/, '') : oneLine(e) });
        }
      } else if (write.branchExisted) {
        kept.push({ kind: 'branch', name: write.branch, why: 'it existed before this start' });
      }
    }
    this.store.transact((table) => {
      table.unreserve(id);
      table.endSession(sessionId, `task ${id}: start failed`);
      const current = table.state.tasks[id];
      table.setTask({
        ...(current ?? { id, sessions: [] }),
        id,
        state: { status: 'failed', reason: `start failed: ${reason}` },
        sessions: [],
        branch,
        worktree,
      });
    });
    return kept;
  }

  // ---- agents ending ------------------------------------------------------------------------------

  private async onAgentExit(id: string, handle: Handle, exit: AgentExit): Promise<void> {
    if (this.handles.get(id) !== handle) return;
    this.handles.delete(id);
    if (!handle.stopping) {
      try {
        await this.finishRun(id, exit, handle.token);
      } catch (e) {
        this.log(`task ${id}: ${oneLine(e)}`);
      }
    }
    this.changed();
  }

  /** Reports an agent exit heard from elsewhere (the coordinator's terminal launcher). */
  agentExited(id: string, exitCode: number | null): void {
    const h = this.handles.get(id);
    if (h) void this.onAgentExit(id, h, { exitCode });
  }

  private async finishRun(id: string, exit: AgentExit, token: number | undefined): Promise<TaskView> {
    const plan = this.loadPlan();
    const readOnly = plan.ok && taskById(plan.plan, id)?.readOnly === true;
    this.store.transact((table) => {
      const rt = table.state.tasks[id];
      if (!rt) throw new SchedulerError(`task '${id}' has not started`);
      if (token !== undefined && rt.startedAt !== token) return; // an older run's exit
      if (token !== undefined && rt.state.status !== 'running') return;
      if (rt.state.status === 'finished' || rt.state.status === 'landed' || rt.state.status === 'landing') {
        if (token === undefined) throw new SchedulerError(`task '${id}' is already ${rt.state.status}`);
        return;
      }
      const next: TaskState = judgeExit(exit);
      try {
        this.settle(table, rt, next, next.status === 'finished' ? 'finished' : describeState(next), readOnly);
      } catch (e) {
        if (e instanceof TaskTransitionError) throw new SchedulerError(e.message);
        throw e;
      }
    });
    return this.viewOf(id);
  }

  /** Marks a task finished (running, or failed and judged done by a person); stops its agent if it still runs. */
  async markFinished(id: string): Promise<TaskActionResult> {
    const before = this.store.read();
    const rt = before.tasks[id];
    if (!rt) throw new SchedulerError(`task '${id}' has not started`);
    const notes: string[] = [];
    if (rt.state.status === 'running') notes.push(...(await this.stopAgent(id, rt, before)));
    const task = await this.finishRun(id, { exitCode: 0 }, undefined);
    if (task.worktree) notes.push(`worktree ${task.worktree} stays until the task lands`);
    this.changed();
    return { task, notes };
  }

  /** Stops a running task's agent; the task goes back to queued with its branch and worktree kept. */
  async stop(id: string): Promise<TaskActionResult> {
    if (this.starting.has(id)) throw new SchedulerError(`task '${id}' is being started; stop it once it runs`);
    const before = this.store.read();
    const rt = before.tasks[id];
    if (!rt || rt.state.status !== 'running') throw new SchedulerError(`task '${id}' is not running (it is ${rt ? describeState(rt.state) : 'queued'})`);
    const notes = await this.stopAgent(id, rt, before);
    this.store.transact((table) => {
      const cur = table.state.tasks[id];
      if (!cur || cur.state.status !== 'running') return;
      this.settle(table, cur, { status: 'queued' }, 'stopped');
    });
    if (rt.branch) notes.push(`kept branch ${rt.branch}${rt.worktree ? ` and worktree ${rt.worktree}` : ''}`);
    this.changed();
    return { task: await this.viewOf(id), notes };
  }

  /** Ends the agent of a running task: through its launcher handle, else by its recorded process identity. */
  private async stopAgent(id: string, rt: TaskRuntime, state: LeaseTableState): Promise<string[]> {
    const h = this.handles.get(id);
    if (h) {
      h.stopping = true;
      await h.agent.stop();
      this.handles.delete(id);
      return [`stopped its agent${h.agent.pid ? ` (pid ${h.agent.pid})` : ''}`];
    }
    const identity = rt.sessions.map((s) => state.sessions[s]?.process).find((p): p is ProcessIdentity => p !== undefined);
    if (!identity) return ['no agent process known to stop'];
    if (processVerdict(identity).state !== 'alive') return [];
    await terminateProcess(identity.pid, waitUntilDead(identity));
    return [`stopped its agent (pid ${identity.pid})`];
  }

  /** Stops every agent this scheduler launched (their tasks go back to queued). */
  async stopAll(): Promise<void> {
    await Promise.allSettled(this.runningHere.map((id) => this.stop(id)));
  }

  // ---- abandon -----------------------------------------------------------------------------------

  /**
   * Gives a task up (status failed: "abandoned"). Its worktree is removed only if it has no uncommitted
   * changes; its branch is deleted only if merged into the target. Returns what was kept and why.
   */
  async abandon(id: string): Promise<AbandonTaskResult> {
    if (this.starting.has(id)) throw new SchedulerError(`task '${id}' is being started; abandon it once it runs`);
    const p = this.loadPlan();
    const target = p.ok ? p.plan.target : 'main';
    const before = this.store.read();
    const rt = before.tasks[id];
    if (!rt && !(p.ok && taskById(p.plan, id))) throw new SchedulerError(`unknown task '${id}'`);
    if (rt && (rt.state.status === 'landed' || rt.state.status === 'landing')) throw new SchedulerError(`task '${id}' is ${rt.state.status}; a landed task cannot be abandoned (undo the landing first)`);
    const removed: string[] = [];
    const kept: KeptItem[] = [];
    if (rt?.state.status === 'running') await this.stopAgent(id, rt, before);
    let worktree = rt?.worktree;
    let branch = rt?.branch;
    if (worktree && fs.existsSync(worktree)) {
      const wt = worktree;
      try {
        await removeWorktree(wt, REMOVE_TASK_WORKTREE);
        removed.push(`worktree ${wt}`);
        worktree = undefined;
      } catch (e) {
        kept.push({ kind: 'worktree', name: wt, why: e instanceof WorktreeDirtyError ? `it has uncommitted changes (${e.files.slice(0, 5).join(', ')}${e.files.length > 5 ? ', …' : ''})` : e instanceof WorktreeIgnoredFilesError ? `it has ignored files that may be work (${describeFiles(e.files, 5)})` : oneLine(e) });
      }
    } else worktree = undefined;
    if (branch && (await readBranch(this.root, branch))) {
      const br = branch;
      try {
        await deleteBranch(this.root, br, target);
        removed.push(`branch ${br}`);
        branch = undefined;
      } catch (e) {
        kept.push({ kind: 'branch', name: br, why: e instanceof BranchNotMergedError ? e.message.replace(`branch ${br} has`, 'it has').replace(/; not deleted$/, '') : oneLine(e) });
      }
    } else branch = undefined;
    const reason = `abandoned${kept.length > 0 ? `; kept ${kept.map((k) => `${k.kind} ${k.name}`).join(', ')}` : ''}`;
    this.store.transact((table) => {
      const cur = table.state.tasks[id] ?? { id, state: { status: 'queued' as const }, sessions: [] };
      table.unreserve(id);
      for (const s of cur.sessions) table.endSession(s, `task ${id} abandoned`);
      table.setTask({ ...cur, state: { status: 'failed', reason }, sessions: [], branch, worktree, finishedAt: Date.now() });
    });
    this.changed();
    const parts = [removed.length > 0 ? `removed ${removed.join(' and ')}` : 'nothing to remove'];
    for (const k of kept) parts.push(`kept ${k.kind} ${k.name}: ${k.why}`);
    return { task: await this.viewOf(id), removed, kept, message: `abandoned '${id}': ${parts.join('; ')}` };
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
    const p = this.loadPlan();
    if (!p.ok || (!p.plan.autoRun && !opts.force)) return result;
    const plan = p.plan;
    const state = this.store.read();
    const index = await this.scopeIndex.get();
    const statuses = this.statusMap(plan, state);
    // Failed tasks the caller retries (lockstep run --retry-failed) wait like queued ones; start() retries them.
    for (const id of opts.retry ?? []) if (statuses[id] === 'failed') statuses[id] = 'queued';
    const picks = nextToStart(plan, gateRuntime(statuses), index, this.maxParallel(plan)).filter((id) => !this.starting.has(id));
    const outcomes = await Promise.allSettled(picks.map((id) => this.start(id)));
    outcomes.forEach((o, i) => {
      if (o.status === 'fulfilled') result.started.push(o.value);
      else result.failed.push({ id: picks[i]!, error: oneLine(o.reason) });
    });
    return result;
  }

  // ---- landing -----------------------------------------------------------------------------------

  /** File keeping the output of a task's last failed landing check. */
  checkLogFile(task: string): string {
    return path.join(this.store.dir, 'logs', `${task}-check.log`);
  }

  /** Folder of the markers naming the process landing a task (start markers' format, own folder). */
  private get landingMarkers(): string {
    return path.join(this.store.dir, 'landing-markers');
  }

  /** The output of a task's last failed landing check ('' when none is kept). */
  checkOutput(id: string): CheckOutputResult {
    const idCheck = TaskId.safeParse(id);
    if (!idCheck.success) throw new SchedulerError(`task id ${JSON.stringify(id)}: ${idCheck.error.issues[0]!.message}`);
    const file = this.checkLogFile(id);
    try {
      return { id, file, exists: true, text: fs.readFileSync(file, 'utf8') };
    } catch {
      return { id, file, exists: false, text: '' };
    }
  }

  /**
   * Write tasks that can land now: finished (or stopped short: queued, ready, conflicted, failed) with
   * commits on their branch that the target lacks, whether the scheduler started them or a person did
   * the work by hand on `lockstep/<id>`.
   */
  async landable(): Promise<LandableTasksResult> {
    const view = await this.list();
    const target = view.plan.target;
    if (!view.plan.valid || !target) throw new SchedulerError(view.plan.issues[0]?.text ?? 'the plan is invalid');
    const targetTip = await readBranch(this.root, target);
    const tasks: LandableTask[] = [];
    if (!targetTip) return { target, tasks };
    for (const t of view.tasks) {
      if (t.readOnly || !LANDABLE.includes(t.status) || this.starting.has(t.id)) continue;
      const branch = t.branch ?? taskBranch(t.id);
      const tip = await readBranch(this.root, branch);
      if (!tip) continue;
      const ahead = await commitsAhead(this.root, tip, targetTip);
      if (ahead > 0) tasks.push({ id: t.id, title: t.title, status: t.status, phase: t.phase, branch, ahead });
    }
    return { target, tasks };
  }

  /**
   * Lands tasks on the plan's target in dependency then plan order, verified with the plan's verify
   * command: all together or none (`atomic`, the default), or one by one stopping at the first failure.
   * A task lands when its branch has commits the target lacks (started by the scheduler or made by hand);
   * read-only tasks have nothing to merge and land directly. A conflict or failed check leaves the
   * target untouched and marks the culprit (conflicted with paths, or failed with the check's output
   * kept in checkLogFile). Landed tasks' leases and reservations are released, their worktrees removed
   * when clean (kept and reported otherwise), their merged branches deleted.
   */
  async land(ids: readonly string[], opts: { atomic?: boolean; allowOutOfScope?: boolean; onProgress?: (p: LandingProgress) => void } = {}): Promise<LandTasksResult> {
    const progress = (p: LandingProgress) => {
      try {
        opts.onProgress?.(p);
      } catch (e) {
        this.log(`landing progress: ${oneLine(e)}`);
      }
    };
    await this.settleInterruptedLandings();
    const plan = this.requirePlan();
    const target = plan.target;
    const before = this.store.read();
    // Done for a dependant: landed, or finished when read-only (nothing to land; see core/gate.ts).
    const doneReadOnly = (t: TaskRuntime) => t.state.status === 'finished' && taskById(plan, t.id)?.readOnly === true && !ids.includes(t.id);
    const landedSet = new Set(Object.values(before.tasks).filter((t) => t.state.status === 'landed' || doneReadOnly(t)).map((t) => t.id));
    let order: string[];
    try {
      order = landingOrder(plan, ids, landedSet);
    } catch (e) {
      if (e instanceof LandingOrderError) throw new SchedulerError(e.message);
      throw e;
    }
    progress({ step: 'checking', detail: `checking ${order.join(', ')} against ${target}` });
    const readOnly = order.filter((id) => taskById(plan, id)!.readOnly);
    const writes: { id: string; branch: string; outOfScope?: string[] }[] = [];
    /** Tasks whose work is on the target already (merged another way): recorded as landed, nothing merged. */
    const already: { id: string; branch: string; tip: string }[] = [];
    const allowOutOfScope = opts.allowOutOfScope === true || plan.allowOutOfScope;
    const targetTip = await readBranch(this.root, target);
    const branchTips = targetTip ? await taskBranchTips(this.root, plan, before) : [];
    for (const id of order) {
      const st = before.tasks[id]?.state ?? ({ status: 'queued' } as TaskState);
      if (this.starting.has(id)) throw new SchedulerError(`cannot land '${id}': it is being started`);
      if (readOnly.includes(id)) {
        if (st.status !== 'finished') throw new SchedulerError(`cannot land '${id}': it is ${describeState(st)}; a read-only task lands when it has finished`);
        continue;
      }
      if (!LANDABLE.includes(st.status)) {
        const hint = st.status === 'running' ? '; finish or stop it first' : st.status === 'landing' ? ' (another landing is under way)' : '';
        throw new SchedulerError(`cannot land '${id}': it is ${describeState(st)}${hint}`);
      }
      if (!targetTip) throw new SchedulerError(`cannot land '${id}': target: branch ${target} does not exist`);
      const rt = before.tasks[id];
      const branch = rt?.branch ?? taskBranch(id);
      const tip = await readBranch(this.root, branch);
      if (!tip) throw new SchedulerError(`cannot land '${id}': branch ${branch} does not exist (start the task, or commit the work by hand on ${branch})`);
      // What is not committed would not land, and the worktree (and the work in it) would stay behind unsaid.
      if (rt?.worktree && fs.existsSync(rt.worktree)) {
        const wt = rt.worktree;
        const changes = await worktreeChanges(wt).catch((e: unknown) => {
          throw new SchedulerError(`cannot land '${id}': cannot read the status of its worktree ${wt}: ${oneLine(e)}`);
        });
        const dirty = [...changedKeys(changes)];
        if (dirty.length > 0) throw new SchedulerError(`cannot land '${id}': its worktree ${wt} has uncommitted changes (${describeFiles(dirty, 5)}); commit them there on ${branch}, or discard them (git restore / git clean), then land again`);
      }
      if ((await commitsAhead(this.root, tip, targetTip)) === 0) {
        if (await landedThroughMerge(this.root, targetTip, tip)) {
          already.push({ id, branch, tip });
          continue;
        }
        throw new SchedulerError(`cannot land '${id}': branch ${branch} has no commits that ${target} lacks`);
      }
      // Another task's work riding along would land under this task's name, and that task then never could.
      const carried = await carriedTasks(this.root, targetTip, id, tip, branchTips, new Set(order.slice(0, order.indexOf(id))));
      if (carried.length > 0) {
        const names = carried.map((c) => `'${c.task}'`).join(', ');
        const how = carried.every((c) => c.undoneLanding) ? 'its branch is built on a landing of theirs that is no longer there' : 'its branch is built on them';
        throw new SchedulerError(
          `cannot land '${id}': ${branch} carries commits of ${names} that ${target} lacks (${how}); ` +
            `land ${names} first or with it (lockstep land ${[...carried.map((c) => c.task), id].join(' ')}), or take them off ${branch}`,
        );
      }
      const spec = taskById(plan, id)!;
      const outside = await filesOutsideScope(this.root, targetTip, tip, spec.scope);
      if (outside.length > 0 && !allowOutOfScope) {
        throw new SchedulerError(
          `cannot land '${id}': ${branch} changes ${outside.length === 1 ? 'a file' : `${outside.length} files`} outside its scope (${spec.scope.join(', ')}): ${describeFiles(outside, 5)}; ` +
            `take ${outside.length === 1 ? 'it' : 'them'} off the branch, widen the task's scope in ${this.planDisplayName}, or land with --allow-out-of-scope (recorded in the landing)`,
        );
      }
      if (outside.length > 0) progress({ step: 'checking', task: id, detail: `${id} lands ${describeFiles(outside, 5)} outside its scope (allowed; recorded in the landing)` });
      writes.push({ id, branch, ...(outside.length > 0 ? { outOfScope: outside } : {}) });
    }

    const alreadyNote = already.length > 0 ? `${already.map((a) => `${a.id} is already on ${target} (${a.branch} ${a.tip.slice(0, 12)} is in its history)`).join('; ')}: recorded as landed` : '';
    // Marked before the store says `landing`, so a crash of this process is noticed (settleInterruptedLandings).
    for (const w of writes) writeStartMarker(this.landingMarkers, w.id);
    const unmark = () => {
      for (const w of writes) removeStartMarker(this.landingMarkers, w.id);
    };
    const now = () => Date.now();
    try {
      this.store.transact((table) => {
        for (const id of readOnly) {
          const rt = table.state.tasks[id]!;
          table.setTask({ ...rt, state: transition(id, rt.state, { status: 'landed' }, { readOnly: true }), landedAt: now() });
        }
        for (const a of already) {
          const rt: TaskRuntime = table.state.tasks[a.id] ?? { id: a.id, state: { status: 'queued' }, sessions: [] };
          if (!LANDABLE.includes(rt.state.status)) throw new SchedulerError(`cannot land '${a.id}': it is ${describeState(rt.state)}`);
          const from = rt.state.status === 'conflicted' || rt.state.status === 'failed' ? transition(a.id, rt.state, { status: 'finished' }) : rt.state;
          const landing = transition(a.id, from, { status: 'landing' });
          table.setTask({ ...rt, branch: a.branch, state: transition(a.id, landing, { status: 'landed' }), landedAt: now() });
        }
        for (const w of writes) {
          const rt: TaskRuntime = table.state.tasks[w.id] ?? { id: w.id, state: { status: 'queued' }, sessions: [] };
          if (!LANDABLE.includes(rt.state.status)) throw new SchedulerError(`cannot land '${w.id}': it is ${describeState(rt.state)}`);
          // conflicted/failed work fixed by hand is finished work again; queued/ready work made by hand lands directly.
          const from = rt.state.status === 'conflicted' || rt.state.status === 'failed' ? transition(w.id, rt.state, { status: 'finished' }) : rt.state;
          table.setTask({ ...rt, branch: w.branch, state: transition(w.id, from, { status: 'landing' }) });
        }
      });
    } catch (e) {
      unmark();
      if (e instanceof TaskTransitionError) throw new SchedulerError(`cannot land: ${e.message}`);
      throw e;
    }
    this.changed();
    if (writes.length === 0) {
      unmark();
      const { removed, kept } = await this.cleanUpLanded(already.map((a) => a.id), target, progress);
      const parts = [...(alreadyNote ? [alreadyNote] : []), ...(readOnly.length > 0 ? [`landed ${readOnly.join(', ')} (read-only: nothing to merge)`] : [])];
      return { ok: true, landed: [...readOnly, ...already.map((a) => a.id)], message: parts.join('; '), removed, kept, target };
    }

    const backTo = (state: (id: string) => TaskState) =>
      this.store.transact((table) => {
        for (const w of writes) {
          const rt = table.state.tasks[w.id];
          if (rt && rt.state.status === 'landing') table.setTask({ ...rt, state: state(w.id) });
        }
      });
    let result: LandingResult;
    try {
      result = await land({
        repoDir: this.root,
        target,
        tasks: writes,
        ...(plan.verify ? { verify: { command: plan.verify, timeoutMs: this.opts.verifyTimeoutMs ?? 1_800_000, maxOutputBytes: 64 * 1024 } } : {}),
        atomic: opts.atomic ?? true,
        onStep: (step) => progress(describeLandingStep(step, target, plan.verify)),
      });
    } catch (e) {
      backTo(() => ({ status: 'finished' }));
      unmark();
      this.changed();
      throw new SchedulerError(`cannot land ${writes.map((w) => w.id).join(', ')}: ${oneLine(e)}`);
    }

    // Each task landed over the target tip its compare-and-swap replaced.
    const landedOver = new Map<string, string>();
    let prev = result.before;
    let group: number | undefined;
    for (const l of result.landed) {
      if (l.landing !== group) {
        if (group !== undefined) prev = result.landed.filter((x) => x.landing === group).at(-1)!.commit;
        group = l.landing;
      }
      landedOver.set(l.task, prev);
    }
    const landedWrites = writes.filter((w) => landedOver.has(w.id)).map((w) => w.id);
    const c = result.culprit;
    let checkLog: string | undefined;
    if (c?.kind === 'check') checkLog = this.keepCheckOutput(c, plan.verify);
    this.store.transact((table) => {
      for (const w of writes) {
        const rt = table.state.tasks[w.id];
        if (!rt || rt.state.status !== 'landing') continue;
        if (landedOver.has(w.id)) table.setTask({ ...rt, state: transition(w.id, rt.state, { status: 'landed' }), landedAt: now(), landedOver: landedOver.get(w.id) });
        else table.setTask({ ...rt, state: c?.task === w.id ? culpritState(c) : { status: 'finished' } });
      }
    });
    unmark();
    this.changed();
    if (c) this.tellAgent(c.task, culpritNotice(c, target, writes.find((w) => w.id === c.task)!.branch, checkLog));

    const { removed, kept } = await this.cleanUpLanded([...already.map((a) => a.id), ...landedWrites], target, progress);
    const landed = [...readOnly, ...already.map((a) => a.id), ...landedWrites];
    const notLanded = writes.filter((w) => !landedOver.has(w.id)).map((w) => w.id);
    const at = `${target} (${result.after.slice(0, 12)})`;
    const base = { landed, removed, kept, target, before: result.before, after: result.after };
    if (result.ok) return { ok: true, ...base, message: `landed ${[...readOnly, ...landedWrites].join(', ')} on ${at}${alreadyNote ? `; ${alreadyNote}` : ''}` };

    const why = c
      ? c.kind === 'conflict'
        ? `'${c.task}' conflicts with ${target} in ${(c.paths ?? []).slice(0, 5).join(', ')}${(c.paths ?? []).length > 5 ? ', …' : ''}`
        : `verify failed after merging '${c.task}'${c.timedOut ? ' (timed out)' : c.exitCode != null ? ` (exit ${c.exitCode})` : ''}`
      : (result.refused?.reason ?? 'refused');
    const outcome = landedWrites.length === 0 ? 'nothing landed' : `landed ${landed.join(', ')} on ${at}; ${notLanded.join(', ')} did not land`;
    return {
      ok: false,
      ...base,
      ...(c ? { culprit: { task: c.task, kind: c.kind, ...(c.paths ? { paths: c.paths } : {}), ...(c.output !== undefined ? { output: c.output } : {}), ...(checkLog ? { checkLog } : {}) } } : {}),
      message: `${why}; ${outcome}${checkLog ? `; check output in ${checkLog}` : ''}`,
    };
  }

  /** Writes a failed check's output where the UI and CLI show it from; returns the file. */
  private keepCheckOutput(c: LandingCulprit, verify: readonly string[] | undefined): string {
    const file = this.checkLogFile(c.task);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const how = c.timedOut ? 'timed out' : c.exitCode != null ? `exit ${c.exitCode}` : 'failed';
    fs.writeFileSync(file, `--- ${new Date().toISOString()} lockstep: landing check ${JSON.stringify(verify ?? [])} with '${c.task}' merged → ${how}\n${c.output ?? ''}`);
    return file;
  }

  /**
   * Tells a task's agent what happened to its landing. Mailbox seam: once mailboxes exist, `notifyTask`
   * delivers into the task's mailbox; until then the notice only goes to the log.
   */
  private tellAgent(task: string, text: string): void {
    if (!this.opts.notifyTask) return this.log(`task ${task}: ${text} (no mailbox to deliver it to yet)`);
    try {
      this.opts.notifyTask(task, text);
    } catch (e) {
      this.log(`task ${task}: could not deliver the landing notice: ${oneLine(e)}`);
    }
  }

  /** After landing: leases and reservations released; worktrees removed when clean, merged branches deleted. */
  private async cleanUpLanded(ids: readonly string[], target: string, progress: (p: LandingProgress) => void = () => undefined): Promise<{ removed: string[]; kept: KeptItem[] }> {
    const removed: string[] = [];
    const kept: KeptItem[] = [];
    if (ids.length === 0) return { removed, kept };
    this.store.transact((table) => {
      for (const id of ids) {
        table.unreserve(id);
        const sessions = new Set(table.state.tasks[id]?.sessions ?? []);
        for (const l of Object.values(table.state.leases)) {
          if (l.task === id || sessions.has(l.session) || table.state.sessions[l.session]?.task === id) table.releaseBySession(l.session, [l.key], `released by the scheduler: task ${id} landed`);
        }
      }
    });
    for (const id of ids) {
      const rt = this.store.read().tasks[id];
      if (!rt) continue;
      let { worktree, branch } = rt;
      if (worktree && fs.existsSync(worktree)) {
        const wt = worktree;
        try {
          await removeWorktree(wt, REMOVE_TASK_WORKTREE);
          removed.push(`worktree ${wt}`);
          worktree = undefined;
        } catch (e) {
          kept.push({ kind: 'worktree', name: wt, why: e instanceof WorktreeDirtyError ? `uncommitted changes (${e.files.slice(0, 5).join(', ')})` : e instanceof WorktreeIgnoredFilesError ? `ignored files that may be work (${describeFiles(e.files, 5)})` : oneLine(e) });
        }
      } else worktree = undefined;
      if (branch && worktree === undefined && (await readBranch(this.root, branch))) {
        const br = branch;
        try {
          await deleteBranch(this.root, br, target);
          removed.push(`branch ${br}`);
          branch = undefined;
        } catch (e) {
          kept.push({ kind: 'branch', name: br, why: oneLine(e) });
        }
      } else if (branch && worktree !== undefined) {
        kept.push({ kind: 'branch', name: branch, why: `it is checked out in the kept worktree ${worktree}` });
      }
      this.store.transact((table) => {
        const cur = table.state.tasks[id];
        if (cur) table.setTask({ ...cur, worktree, branch });
      });
    }
    if (removed.length + kept.length > 0) progress({ step: 'cleanup', detail: [...removed.map((r) => `removed ${r}`), ...kept.map((k) => `kept ${k.kind} ${k.name}`)].join('; ') });
    this.changed();
    return { removed, kept };
  }

  /**
   * Settles tasks left `landing` by a process that died mid-landing: landed when the target contains
   * their branch (the target moved before the crash), else finished. The landing engine itself left
   * the target either untouched or complete; `lockstep doctor` removes its temporary leftovers.
   */
  async settleInterruptedLandings(): Promise<string[]> {
    const stuck = () =>
      Object.values(this.store.read().tasks)
        .filter((rt) => rt.state.status === 'landing' && startProgress(this.landingMarkers, rt.id).state !== 'in-progress')
        .map((rt) => rt.id);
    const ids = stuck();
    if (ids.length === 0) return [];
    const p = this.loadPlan();
    const target = p.ok ? p.plan.target : 'main';
    const targetTip = await readBranch(this.root, target);
    const onTarget = new Set<string>();
    for (const id of ids) {
      const tip = await readBranch(this.root, this.store.read().tasks[id]?.branch ?? taskBranch(id));
      if (tip && targetTip && (await isAncestor(this.root, tip, targetTip))) onTarget.add(id);
    }
    const settled: string[] = [];
    this.store.transact((table) => {
      for (const id of stuck()) {
        const rt = table.state.tasks[id];
        if (!rt || !ids.includes(id)) continue;
        table.setTask({ ...rt, state: { status: onTarget.has(id) ? 'landed' : 'finished' }, ...(onTarget.has(id) ? { landedAt: Date.now() } : {}) });
        settled.push(id);
      }
    });
    for (const id of settled) removeStartMarker(this.landingMarkers, id);
    if (settled.length === 0) return [];
    this.log(`settled interrupted landings: ${settled.map((id) => `${id} ${onTarget.has(id) ? 'landed' : 'finished'}`).join(', ')}`);
    this.changed();
    await this.cleanUpLanded(settled.filter((id) => onTarget.has(id)), target);
    return settled;
  }

  /** Undoes the last landing on the plan's target, naming or rebasing the task branches built on it (undoFlow.ts). */
  async undoLanding(opts: { rebaseDependents?: boolean } = {}): Promise<UndoLandingResult> {
    const plan = this.requirePlan();
    return undoLanding({ root: this.root, commonDir: this.commonDir, store: this.store, plan, log: this.log, changed: () => this.changed() }, opts);
  }
}

/** Statuses from which a write task with commits ahead of the target may land. */
const LANDABLE: readonly TaskStatus[] = ['queued', 'ready', 'finished', 'conflicted', 'failed'];

async function commitsAhead(repoDir: string, tip: string, targetTip: string): Promise<number> {
  return Number(await git(['rev-list', '--count', '--end-of-options', tip, `^${targetTip}`], { cwd: repoDir }));
}


function culpritState(c: LandingCulprit): TaskState {
  if (c.kind === 'conflict') return { status: 'conflicted', paths: c.paths && c.paths.length > 0 ? c.paths : ['(unknown)'] };
  const lastLine = (c.output ?? '').trim().split('\n').pop() ?? '';
  return { status: 'failed', reason: `verify failed${c.timedOut ? ' (timed out)' : c.exitCode != null ? ` (exit ${c.exitCode})` : ''}${lastLine ? `: ${lastLine.slice(0, 200)}` : ''}` };
}

/** What the culprit's agent is told. */
function culpritNotice(c: LandingCulprit, target: string, branch: string, checkLog: string | undefined): string {
  if (c.kind === 'conflict') {
    return `Lockstep could not land ${branch}: it conflicts with ${target} in ${(c.paths ?? []).join(', ')}. Merge ${target} into ${branch}, resolve those files, commit, and ask to land again.`;
  }
  return `Lockstep could not land ${branch}: the verify command failed with your work merged into ${target}${checkLog ? ` (output: ${checkLog})` : ''}. Fix it on ${branch}, commit, and ask to land again.`;
}

/** A landing engine step as one line for a progress display. */
function describeLandingStep(step: LandingStep, target: string, verify: readonly string[] | undefined): LandingProgress {
  const short = (c: string) => c.slice(0, 12);
  switch (step.kind) {
    case 'merged':
      return { step: 'merging', task: step.task, detail: step.alreadyMerged ? `${step.task} is already on ${target}` : `merged ${step.task} (${short(step.commit)})` };
    case 'candidate':
      return { step: 'merging', detail: `candidate ${short(step.commit)} on ${target} ${short(step.base)}` };
    case 'check-started': {
      const shown = verify && verify.length > 0 ? [path.basename(verify[0]!), ...verify.slice(1)].join(' ') : 'the check';
      return { step: 'verifying', detail: `running ${shown.length > 60 ? `${shown.slice(0, 59)}…` : shown} on ${short(step.commit)}` };
    }
    case 'check-finished':
      return { step: 'verified', detail: step.ok ? 'the check passed' : 'the check failed' };
    case 'before-ref-update':
      return { step: 'moving-target', detail: `moving ${target} to ${short(step.new)}` };
    case 'ref-updated':
      return { step: 'landed', detail: `${target} is at ${short(step.new)} (landing ${step.landing})` };
    case 'checkout-updated':
      return { step: 'checkout', detail: `updated the checkout at ${step.worktree}` };
    case 'retry':
      return { step: 'retry', detail: step.reason };
  }
}

/** Why a task that is not waiting does not go on by itself (failed, blocked, conflicted). */
function stoppedReasons(st: TaskState): string[] {
  if (st.status === 'failed' || st.status === 'blocked') return [st.reason];
  if (st.status === 'conflicted') return [`conflicts with the target in ${st.paths.slice(0, 5).join(', ')}${st.paths.length > 5 ? ` and ${st.paths.length - 5} more` : ''}`];
  return [];
}

/** Resolves once the process is gone (polled; it is not our child). */
function waitUntilDead(identity: ProcessIdentity, capMs = 10_000): Promise<void> {
  return new Promise((resolve) => {
    const started = Date.now();
    const poll = () => {
      if (processVerdict(identity).state !== 'alive' || Date.now() - started > capMs) return resolve();
      setTimeout(poll, 50);
    };
    poll();
  });
}
