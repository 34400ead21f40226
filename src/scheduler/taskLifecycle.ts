// The scheduler's task lifecycle: starting a task (gate check, scope reserved, worktree on
// `lockstep/<id>` from the target's tip, the plan's setup, the agent's hooks, a pre-registered session,
// then its agent), rolling a failed start back, hearing agents end (or noticing they ended unheard),
// stopping and abandoning. Every step that fails is rolled back, and nothing that holds work (a dirty
// worktree, an unmerged branch) is ever removed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { identifyProcess, processVerdict } from '../process/processLiveness';
import { decide, gateRuntime } from '../core/gate';
import type { LeaseTable } from '../core/leaseTable';
import type { AgentName, LeaseTableState, ProcessIdentity } from '../core/model';
import { TaskId, taskBranch, taskById, type Plan, type TaskSpec } from '../core/plan';
import { TaskTransitionError, describeState, transition, type TaskRuntime, type TaskState, type TaskStatus } from '../core/task';
import { runCheck } from '../git/checkCommand';
import { readBranch } from '../git/repository';
import { BranchNotMergedError, createTaskWorktree, deleteBranch } from '../git/worktrees';
import type { AbandonTaskResult, KeptItem, StartTaskResult, TaskActionResult, TaskView } from '../protocol/schedulerMethods';
import { judgeExit, terminateProcess, type AgentExit, type LaunchedAgent } from './agentLauncher';
import { readExitRecord } from './agentSupervisor';
import { AgentTemplateError, agentDialect, agentKeyOf, agentTemplate, expandTemplate } from './agentTemplates';
import { ensureLockstepShim, hookCommand, lockstepDistDir } from './lockstepBin';
import type { SchedulerContext } from './schedulerContext';
import { SchedulerError, oneLine } from './schedulerError';
import { removeStartMarker, startProgress, writeStartMarker } from './startMarker';
import { ensureTaskHooks } from './taskHooks';
import { removeTaskWorktree } from './taskWorktreeRemoval';
import { judgeRunningTask, type RunningVerdict } from './taskLiveness';
import { statusMap } from './taskViews';

/** A start that failed may be retried: these states accept a new start (the gate is asked as if queued). */
const RETRYABLE: readonly TaskStatus[] = ['failed', 'blocked', 'conflicted'];

const REPO_SELECTING_ENV = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_COMMON_DIR', 'GIT_PREFIX', 'GIT_OBJECT_DIRECTORY', 'GIT_NAMESPACE'];

interface Handle {
  agent: LaunchedAgent;
  /** startedAt of the run it belongs to: an exit of an older run is ignored. */
  token: number;
  stopping: boolean;
}

/** The scheduler's session id for a task: `<agent>:lockstep-<task>`. */
export function taskSessionId(agent: AgentName, task: string): string {
  return `${agent}:lockstep-${task}`;
}

export class TaskLifecycle {
  private readonly handles = new Map<string, Handle>();
  private readonly starting = new Set<string>();

  constructor(private readonly ctx: SchedulerContext) {}

  isStarting(id: string): boolean {
    return this.starting.has(id);
  }

  /** Agents this scheduler launched that are still running. */
  get runningHere(): string[] {
    return [...this.handles.keys()];
  }

  /** The pid of the agent this scheduler launched for task `id`, while it runs. */
  pidOf(id: string): number | undefined {
    return this.handles.get(id)?.agent.pid;
  }

  private promptFile(task: string): string {
    return path.join(this.ctx.store.dir, 'prompts', `${task}.md`);
  }

  // ---- agents ended unheard ----------------------------------------------------------------------

  /** Running tasks whose agent has ended unheard, with what they would become (`lockstep doctor --check-only`). */
  endedUnheard(): { id: string; next: TaskState; why: string }[] {
    const state = this.ctx.store.read();
    const out: { id: string; next: TaskState; why: string }[] = [];
    for (const rt of Object.values(state.tasks)) {
      if (rt.state.status !== 'running' || this.handles.has(rt.id) || this.starting.has(rt.id)) continue;
      if (startProgress(this.ctx.store.dir, rt.id).state !== 'none') continue;
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
    const plan = this.ctx.plan.load();
    const readOnly = (id: string) => (plan.ok ? taskById(plan.plan, id)?.readOnly === true : false);
    this.ctx.store.transact((table) => {
      for (const rt of Object.values(table.state.tasks)) {
        if (rt.state.status !== 'running' || this.handles.has(rt.id) || this.starting.has(rt.id)) continue;
        const progress = startProgress(this.ctx.store.dir, rt.id);
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
    for (const id of interrupted) removeStartMarker(this.ctx.store.dir, id);
    if (settled.length > 0) this.ctx.changed();
    return settled;
  }

  /** Whether running task `rt` (launched elsewhere) still has its agent at work; see taskLiveness.ts. */
  private judgeRunning(rt: TaskRuntime, state: LeaseTableState): RunningVerdict {
    return judgeRunningTask({
      rt,
      sessions: rt.sessions.map((s) => state.sessions[s]),
      exitRecord: () => readExitRecord(this.ctx.exitFile(rt.id), rt.startedAt),
      verdict: processVerdict,
    });
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
    const plan = this.ctx.plan.require();
    const spec = taskById(plan, id);
    if (!spec) throw new SchedulerError(`unknown task '${id}' (not in ${this.ctx.plan.displayName})`);
    if (this.starting.has(id)) throw new SchedulerError(`task '${id}' is already being started`);

    let template: string[];
    try {
      template = agentTemplate(plan, spec, this.ctx.opts.launcher.mode);
    } catch (e) {
      if (e instanceof AgentTemplateError) throw new SchedulerError(`cannot start '${id}': ${e.message}`);
      throw e;
    }
    const dialect = agentDialect(agentKeyOf(spec), template);
    const sessionId = taskSessionId(dialect ?? 'custom', id);
    const index = await this.ctx.scopeIndex.get();

    let write: { tip: string; wtPath: string; branch: string; branchExisted: boolean } | undefined;
    if (!spec.readOnly) {
      const tip = await readBranch(this.ctx.root, plan.target);
      if (!tip) throw new SchedulerError(`cannot start '${id}': target: branch ${plan.target} does not exist`);
      const branch = taskBranch(id);
      write = { tip, branch, wtPath: path.join(this.ctx.plan.worktreesRoot(plan), id), branchExisted: (await readBranch(this.ctx.root, branch)) !== undefined };
    }

    // 1. One transaction: gate check, running, scope reserved. Nothing else changed yet.
    this.starting.add(id);
    writeStartMarker(this.ctx.store.dir, id);
    let prior: TaskRuntime | undefined;
    let startedAt = 0;
    try {
      this.ctx.store.transact((table) => {
        prior = table.state.tasks[id];
        const current: TaskState = prior?.state ?? { status: 'queued' };
        const statuses = statusMap(plan, table.state);
        if (RETRYABLE.includes(current.status)) statuses[id] = 'queued';
        const d = decide(plan, gateRuntime(statuses), index, this.ctx.plan.maxParallel(plan)).get(id)!;
        if (!d.startable) throw new SchedulerError(`cannot start '${id}': ${d.reasons.join('; ')}`, { reasons: d.reasons });
        const state = transition(id, current, { status: 'running' });
        startedAt = Math.max(Date.now(), (prior?.startedAt ?? 0) + 1);
        if (table.liveSession(sessionId)) table.endSession(sessionId, `task ${id} restarted`);
        table.setTask({
          id,
          state,
          sessions: [sessionId],
          startedAt,
          ...(prior?.lead ? { lead: prior.lead } : {}),
          ...(write ? { branch: write.branch, worktree: write.wtPath } : {}),
        });
        if (write) table.reserve({ task: id, globs: spec.scope, sessions: [sessionId], worktree: write.wtPath });
      });
    } catch (e) {
      this.starting.delete(id);
      removeStartMarker(this.ctx.store.dir, id);
      if (e instanceof TaskTransitionError) throw new SchedulerError(`cannot start '${id}': ${e.message}`);
      throw e;
    }
    this.ctx.changed();

    const notes: string[] = [];
    if (prior?.state.status === 'failed') notes.push(`retrying: it had failed (${prior.state.reason})${write ? '; its branch and worktree are kept' : ''}`);
    let worktreeMade: string | undefined;
    let launched: LaunchedAgent | undefined;
    try {
      let cwd = this.ctx.root;
      if (write) {
        fs.mkdirSync(path.dirname(write.wtPath), { recursive: true });
        const wt = await createTaskWorktree({ repoDir: this.ctx.root, taskId: id, path: write.wtPath, startPoint: write.tip });
        if (!wt.existing) worktreeMade = wt.path;
        if (wt.repaired) notes.push(`repaired a worktree left half-created at ${wt.path}`);
        if (wt.existing) notes.push(`reused the existing worktree ${wt.path}`);
        if (wt.reusedBranch) notes.push(`continued on the existing branch ${wt.branch} (its commits kept)`);
        else notes.push(`created branch ${wt.branch} from ${plan.target} (${write.tip.slice(0, 12)})`);
        if (wt.submodulesInitialized) notes.push('initialized submodules in the worktree');
        cwd = wt.path;
        if (wt.path !== write.wtPath) {
          this.ctx.store.transact((table) => {
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
        const hooks = await ensureTaskHooks({ agent: dialect, worktree: cwd, commonDir: this.ctx.commonDir, command: hookCommand(dialect, this.distDir()), mainCheckout: !write });
        notes.push(hooks.note);
      } else {
        notes.push(`agent '${agentKeyOf(spec)}' speaks no known hook dialect: its edits are not checked before they happen`);
      }

      // 2. The session the agent's hooks will report as (LOCKSTEP_SESSION), known before it starts.
      this.ctx.store.transact((table) => {
        table.touchSession({ id: sessionId, agent: dialect ?? 'custom', cwd, worktree: cwd, task: id, readOnly: spec.readOnly, source: 'scheduler' });
      });

      const promptFile = this.promptFile(id);
      fs.mkdirSync(path.dirname(promptFile), { recursive: true });
      fs.writeFileSync(promptFile, spec.prompt);
      const argv = expandTemplate(template, { prompt: spec.prompt, promptFile });
      const env = this.agentEnv(spec, sessionId);
      launched = await this.ctx.opts.launcher.launch({ task: id, cwd, argv, env, logFile: this.ctx.logFile(id), statusFile: this.ctx.exitFile(id), run: startedAt });
      const handle: Handle = { agent: launched, token: startedAt, stopping: false };
      this.handles.set(id, handle);
      void launched.exited.then((exit) => this.onAgentExit(id, handle, exit));

      // 3. The agent's process, so its session (and leases) end when it does, whoever notices first;
      // and its supervisor's, so an agent gone without a recorded exit is told from one about to be recorded.
      const identity = launched.pid !== undefined ? identifyProcess(launched.pid) : undefined;
      const supervisor = launched.supervisorPid !== undefined ? identifyProcess(launched.supervisorPid) : undefined;
      if (identity || supervisor) {
        this.ctx.store.transact((table) => {
          if (identity) table.touchSession({ id: sessionId, agent: dialect ?? 'custom', cwd, worktree: cwd, task: id, readOnly: spec.readOnly, source: 'scheduler', process: identity });
          const rt = table.state.tasks[id];
          if (supervisor && rt && rt.startedAt === startedAt) table.setTask({ ...rt, supervisor });
        });
      }
      removeStartMarker(this.ctx.store.dir, id);
      this.starting.delete(id);
      this.ctx.changed();
      this.ctx.log(`started ${id}${launched.pid ? ` (pid ${launched.pid})` : ''}`);
      return { task: await this.ctx.viewOf(id), notes, ...(launched.pid !== undefined ? { pid: launched.pid } : {}), logFile: this.ctx.logFile(id) };
    } catch (e) {
      const reason = oneLine(e);
      const kept = await this.rollbackStart(id, plan, sessionId, prior, write, worktreeMade, launched, reason);
      removeStartMarker(this.ctx.store.dir, id);
      this.starting.delete(id);
      this.ctx.changed();
      const keptText = kept.length > 0 ? `; kept ${kept.map((k) => `${k.kind} ${k.name} (${k.why})`).join(', ')}` : '';
      throw new SchedulerError(`cannot start '${id}': ${reason}${keptText}`, { kept });
    }
  }

  private distDir(): string {
    return this.ctx.opts.distDir ?? lockstepDistDir();
  }

  private agentEnv(spec: TaskSpec, sessionId: string): Record<string, string> {
    const base = this.ctx.opts.env ?? process.env;
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(base)) if (v !== undefined) env[k] = v;
    for (const k of REPO_SELECTING_ENV) delete env[k];
    // The launcher sets it to the agent's own pid; an inherited one would name another process.
    delete env.LOCKSTEP_AGENT_PID;
    delete env.LOCKSTEP_READ_ONLY;
    const dist = this.distDir();
    const shim = ensureLockstepShim(this.ctx.store.dir, dist);
    env.PATH = [dist, ...(shim ? [shim] : []), env.PATH ?? ''].filter(Boolean).join(path.delimiter);
    env.LOCKSTEP_TASK = spec.id;
    env.LOCKSTEP_SESSION = sessionId;
    if (spec.readOnly) env.LOCKSTEP_READ_ONLY = '1';
    return env;
  }

  private async runSetup(plan: Plan, id: string, cwd: string): Promise<void> {
    const log = this.ctx.logFile(id);
    fs.mkdirSync(path.dirname(log), { recursive: true });
    const env = this.agentEnv(taskById(plan, id)!, '');
    delete env.LOCKSTEP_SESSION;
    for (const command of plan.setup) {
      const r = await runCheck({ command, timeoutMs: this.ctx.opts.setupTimeoutMs ?? 600_000, maxOutputBytes: 256 * 1024 }, { cwd, env });
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
        const notRemoved = await removeTaskWorktree(worktreeMade);
        if (notRemoved) kept.push(notRemoved);
        else worktree = prior?.worktree;
      }
      if (!write.branchExisted && (await readBranch(this.ctx.root, write.branch))) {
        try {
          await deleteBranch(this.ctx.root, write.branch, plan.target);
          branch = prior?.branch;
        } catch (e) {
          kept.push({ kind: 'branch', name: write.branch, why: e instanceof BranchNotMergedError ? e.message.replace(/; not deleted$/, '') : oneLine(e) });
        }
      } else if (write.branchExisted) {
        kept.push({ kind: 'branch', name: write.branch, why: 'it existed before this start' });
      }
    }
    this.ctx.store.transact((table) => {
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
        this.ctx.log(`task ${id}: ${oneLine(e)}`);
      }
    }
    this.ctx.changed();
  }

  /** Reports an agent exit heard from elsewhere (the coordinator's terminal launcher). */
  agentExited(id: string, exitCode: number | null): void {
    const h = this.handles.get(id);
    if (h) void this.onAgentExit(id, h, { exitCode });
  }

  private async finishRun(id: string, exit: AgentExit, token: number | undefined): Promise<TaskView> {
    const plan = this.ctx.plan.load();
    const readOnly = plan.ok && taskById(plan.plan, id)?.readOnly === true;
    this.ctx.store.transact((table) => {
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
    return this.ctx.viewOf(id);
  }

  /** Marks a task finished (running, or failed and judged done by a person); stops its agent if it still runs. */
  async markFinished(id: string): Promise<TaskActionResult> {
    const before = this.ctx.store.read();
    const rt = before.tasks[id];
    if (!rt) throw new SchedulerError(`task '${id}' has not started`);
    const notes: string[] = [];
    if (rt.state.status === 'running') notes.push(...(await this.stopAgent(id, rt, before)));
    const task = await this.finishRun(id, { exitCode: 0 }, undefined);
    if (task.worktree) notes.push(`worktree ${task.worktree} stays until the task lands`);
    this.ctx.changed();
    return { task, notes };
  }

  /** Stops a running task's agent; the task goes back to queued with its branch and worktree kept. */
  async stop(id: string): Promise<TaskActionResult> {
    if (this.starting.has(id)) throw new SchedulerError(`task '${id}' is being started; stop it once it runs`);
    const before = this.ctx.store.read();
    const rt = before.tasks[id];
    if (!rt || rt.state.status !== 'running') throw new SchedulerError(`task '${id}' is not running (it is ${rt ? describeState(rt.state) : 'queued'})`);
    const notes = await this.stopAgent(id, rt, before);
    this.ctx.store.transact((table) => {
      const cur = table.state.tasks[id];
      if (!cur || cur.state.status !== 'running') return;
      this.settle(table, cur, { status: 'queued' }, 'stopped');
    });
    if (rt.branch) notes.push(`kept branch ${rt.branch}${rt.worktree ? ` and worktree ${rt.worktree}` : ''}`);
    this.ctx.changed();
    return { task: await this.ctx.viewOf(id), notes };
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
    const p = this.ctx.plan.load();
    const target = p.ok ? p.plan.target : 'main';
    const before = this.ctx.store.read();
    const rt = before.tasks[id];
    if (!rt && !(p.ok && taskById(p.plan, id))) throw new SchedulerError(`unknown task '${id}'`);
    if (rt && (rt.state.status === 'landed' || rt.state.status === 'landing')) throw new SchedulerError(`task '${id}' is ${rt.state.status}; a landed task cannot be abandoned (undo the landing first)`);
    const removed: string[] = [];
    const kept: KeptItem[] = [];
    if (rt?.state.status === 'running') await this.stopAgent(id, rt, before);
    let worktree = rt?.worktree;
    let branch = rt?.branch;
    if (worktree && fs.existsSync(worktree)) {
      const notRemoved = await removeTaskWorktree(worktree);
      if (notRemoved) kept.push(notRemoved);
      else {
        removed.push(`worktree ${worktree}`);
        worktree = undefined;
      }
    } else worktree = undefined;
    if (branch && (await readBranch(this.ctx.root, branch))) {
      const br = branch;
      try {
        await deleteBranch(this.ctx.root, br, target);
        removed.push(`branch ${br}`);
        branch = undefined;
      } catch (e) {
        kept.push({ kind: 'branch', name: br, why: e instanceof BranchNotMergedError ? e.message.replace(`branch ${br} has`, 'it has').replace(/; not deleted$/, '') : oneLine(e) });
      }
    } else branch = undefined;
    const reason = `abandoned${kept.length > 0 ? `; kept ${kept.map((k) => `${k.kind} ${k.name}`).join(', ')}` : ''}`;
    this.ctx.store.transact((table) => {
      const cur = table.state.tasks[id] ?? { id, state: { status: 'queued' as const }, sessions: [] };
      table.unreserve(id);
      for (const s of cur.sessions) table.endSession(s, `task ${id} abandoned`);
      table.setTask({ ...cur, state: { status: 'failed', reason }, sessions: [], branch, worktree, finishedAt: Date.now() });
    });
    this.ctx.changed();
    const parts = [removed.length > 0 ? `removed ${removed.join(' and ')}` : 'nothing to remove'];
    for (const k of kept) parts.push(`kept ${k.kind} ${k.name}: ${k.why}`);
    return { task: await this.ctx.viewOf(id), removed, kept, message: `abandoned '${id}': ${parts.join('; ')}` };
  }
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
