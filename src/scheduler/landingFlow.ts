// The scheduler's landing flow: which tasks can land, landing them on the plan's target through the
// landing engine (git/landing.ts) in dependency order with the plan's verify command, marking the
// culprit of a conflict or failed check and telling its agent, the clean-up after landing (leases
// released, clean worktrees removed, merged branches deleted), and settling landings a crashed process
// left half-done. Nothing that holds work is removed: a dirty worktree and its branch are kept and named.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LandingOrderError, landingOrder } from '../core/landingOrder';
import { TaskId, taskBranch, taskById } from '../core/plan';
import { TaskTransitionError, describeState, transition, type TaskRuntime, type TaskState, type TaskStatus } from '../core/task';
import { landedThroughMerge } from '../git/carriedCommits';
import { git } from '../git/gitRunner';
import { land, type LandingCulprit, type LandingResult, type LandingStep } from '../git/landing';
import { isAncestor, readBranch } from '../git/repository';
import type { CheckResult } from '../git/checkCommand';
import { openMemory } from '../store/openMemory';

import { filesOutsideScope } from '../git/scopeCheck';
import { changedKeys, worktreeChanges } from '../git/status';
import { deleteBranch, describeFiles } from '../git/worktrees';
import type { CheckOutputResult, KeptItem, LandableTask, LandableTasksResult, LandingProgress, LandTasksResult } from '../protocol/schedulerMethods';
import type { SchedulerContext } from './schedulerContext';
import { SchedulerError, oneLine } from './schedulerError';
import { removeStartMarker, startProgress, writeStartMarker } from './startMarker';
import { carriedTasks, taskBranchTips } from './taskBranches';
import { removeTaskWorktree } from './taskWorktreeRemoval';

/** Statuses from which a write task with commits ahead of the target may land. */
const LANDABLE: readonly TaskStatus[] = ['queued', 'ready', 'finished', 'conflicted', 'failed'];

/** Who landing notices in a task's mailbox are from. */
export const LANDING_SENDER = 'lockstep:landing';

export class LandingFlow {
  /** Landing checks' results by tree id (queue mode): a tree verified once is not verified again. */
  private readonly verifiedTrees = new Map<string, CheckResult>();

  constructor(private readonly ctx: SchedulerContext) {}

  /** File keeping the output of a task's last failed landing check. */
  checkLogFile(task: string): string {
    return path.join(this.ctx.store.dir, 'logs', `${task}-check.log`);
  }

  /** Folder of the markers naming the process landing a task (start markers' format, own folder). */
  private get landingMarkers(): string {
    return path.join(this.ctx.store.dir, 'landing-markers');
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
    const view = await this.ctx.list();
    const target = view.plan.target;
    if (!view.plan.valid || !target) throw new SchedulerError(view.plan.issues[0]?.text ?? 'the plan is invalid');
    const targetTip = await readBranch(this.ctx.root, target);
    const tasks: LandableTask[] = [];
    if (!targetTip) return { target, tasks };
    for (const t of view.tasks) {
      if (t.readOnly || !LANDABLE.includes(t.status) || this.ctx.isStarting(t.id)) continue;
      const branch = t.branch ?? taskBranch(t.id);
      const tip = await readBranch(this.ctx.root, branch);
      if (!tip) continue;
      const ahead = await commitsAhead(this.ctx.root, tip, targetTip);
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
  async land(ids: readonly string[], opts: { atomic?: boolean; allowOutOfScope?: boolean; queue?: { parallel?: number }; onProgress?: (p: LandingProgress) => void } = {}): Promise<LandTasksResult> {
    const progress = (p: LandingProgress) => {
      try {
        opts.onProgress?.(p);
      } catch (e) {
        this.ctx.log(`landing progress: ${oneLine(e)}`);
      }
    };
    await this.settleInterruptedLandings();
    const plan = this.ctx.plan.require();
    const target = plan.target;
    const before = this.ctx.store.read();
    // Done for a dependant: landed, or finished when read-only (nothing to land; see core/gate.ts).
    const doneReadOnly = (t: TaskRuntime) => t.state.status === 'finished' && taskById(plan, t.id)?.readOnly === true && !ids.includes(t.id);
    const landedSet = new Set(Object.values(before.tasks).filter((t) => t.state.status === 'landed' || doneReadOnly(t)).map((t) => t.id));
    let order: string[];
    try {
      order = landingOrder(plan, ids, landedSet);
      // The queue's order (dependencies, then finishing order) is a dependency order already: kept.
      if (opts.queue) order = [...ids];
    } catch (e) {
      if (e instanceof LandingOrderError) throw new SchedulerError(e.message);
      throw e;
    }
    progress({ step: 'checking', detail: `checking ${order.join(', ')} against ${target}` });
    const readOnly = order.filter((id) => taskById(plan, id)!.readOnly);
    const writes: { id: string; branch: string; outOfScope?: string[]; dependsOn?: string[] }[] = [];
    /** Tasks whose work is on the target already (merged another way): recorded as landed, nothing merged. */
    const already: { id: string; branch: string; tip: string }[] = [];
    const allowOutOfScope = opts.allowOutOfScope === true || plan.allowOutOfScope;
    const targetTip = await readBranch(this.ctx.root, target);
    const branchTips = targetTip ? await taskBranchTips(this.ctx.root, plan, before) : [];
    for (const id of order) {
      const st = before.tasks[id]?.state ?? ({ status: 'queued' } as TaskState);
      if (this.ctx.isStarting(id)) throw new SchedulerError(`cannot land '${id}': it is being started`);
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
      const tip = await readBranch(this.ctx.root, branch);
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
      if ((await commitsAhead(this.ctx.root, tip, targetTip)) === 0) {
        if (await landedThroughMerge(this.ctx.root, targetTip, tip)) {
          already.push({ id, branch, tip });
          continue;
        }
        throw new SchedulerError(`cannot land '${id}': branch ${branch} has no commits that ${target} lacks`);
      }
      // Another task's work riding along would land under this task's name, and that task then never could.
      const carried = await carriedTasks(this.ctx.root, targetTip, id, tip, branchTips, new Set(order.slice(0, order.indexOf(id))));
      if (carried.length > 0) {
        const names = carried.map((c) => `'${c.task}'`).join(', ');
        const how = carried.every((c) => c.undoneLanding) ? 'its branch is built on a landing of theirs that is no longer there' : 'its branch is built on them';
        throw new SchedulerError(
          `cannot land '${id}': ${branch} carries commits of ${names} that ${target} lacks (${how}); ` +
            `land ${names} first or with it (lockstep land ${[...carried.map((c) => c.task), id].join(' ')}), or take them off ${branch}`,
        );
      }
      const spec = taskById(plan, id)!;
      const outside = await filesOutsideScope(this.ctx.root, targetTip, tip, spec.scope);
      if (outside.length > 0 && !allowOutOfScope) {
        throw new SchedulerError(
          `cannot land '${id}': ${branch} changes ${outside.length === 1 ? 'a file' : `${outside.length} files`} outside its scope (${spec.scope.join(', ')}): ${describeFiles(outside, 5)}; ` +
            `take ${outside.length === 1 ? 'it' : 'them'} off the branch, widen the task's scope in ${this.ctx.plan.displayName}, or land with --allow-out-of-scope (recorded in the landing)`,
        );
      }
      if (outside.length > 0) progress({ step: 'checking', task: id, detail: `${id} lands ${describeFiles(outside, 5)} outside its scope (allowed; recorded in the landing)` });
      const deps = spec.dependsOn.filter((d) => order.includes(d));
      writes.push({ id, branch, ...(outside.length > 0 ? { outOfScope: outside } : {}), ...(opts.queue && deps.length > 0 ? { dependsOn: deps } : {}) });
    }

    const alreadyNote = already.length > 0 ? `${already.map((a) => `${a.id} is already on ${target} (${a.branch} ${a.tip.slice(0, 12)} is in its history)`).join('; ')}: recorded as landed` : '';
    // Marked before the store says `landing`, so a crash of this process is noticed (settleInterruptedLandings).
    for (const w of writes) writeStartMarker(this.landingMarkers, w.id);
    const unmark = () => {
      for (const w of writes) removeStartMarker(this.landingMarkers, w.id);
    };
    const now = () => Date.now();
    try {
      this.ctx.store.transact((table) => {
        for (const id of readOnly) {
          const rt = table.state.tasks[id]!;
          table.setTask({ ...rt, state: transition(id, rt.state, { status: 'landed' }, { readOnly: true }), landedAt: now() });
        }
        for (const a of already) {
          const rt: TaskRuntime = table.state.tasks[a.id] ?? { id: a.id, state: { status: 'queued' }, sessions: [] };
          if (!LANDABLE.includes(rt.state.status)) throw new SchedulerError(`cannot land '${a.id}': it is ${describeState(rt.state)}`);
          const from = rt.state.status === 'conflicted' || rt.state.status === 'failed' ? transition(a.id, rt.state, { status: 'finished' }) : rt.state;
          const landing = transition(a.id, from, { status: 'landing' });
          table.setTask({ ...rt, branch: a.branch, state: transition(a.id, landing, { status: 'landed' }), landedAt: now(), landedCommit: a.tip, landedBranch: a.branch });
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
    this.ctx.changed();
    if (writes.length === 0) {
      unmark();
      const { removed, kept } = await this.cleanUpLanded(already.map((a) => a.id), target, progress);
      const parts = [...(alreadyNote ? [alreadyNote] : []), ...(readOnly.length > 0 ? [`landed ${readOnly.join(', ')} (read-only: nothing to merge)`] : [])];
      return { ok: true, landed: [...readOnly, ...already.map((a) => a.id)], message: parts.join('; '), removed, kept, target };
    }

    const backTo = (state: (id: string) => TaskState) =>
      this.ctx.store.transact((table) => {
        for (const w of writes) {
          const rt = table.state.tasks[w.id];
          if (rt && rt.state.status === 'landing') table.setTask({ ...rt, state: state(w.id) });
        }
      });
    let result: LandingResult;
    try {
      result = await land({
        repoDir: this.ctx.root,
        target,
        tasks: writes,
        ...(plan.verify ? { verify: { command: plan.verify, timeoutMs: this.ctx.opts.verifyTimeoutMs ?? 1_800_000, maxOutputBytes: 64 * 1024 } } : {}),
        atomic: opts.atomic ?? true,
        ...(opts.queue ? { queue: { parallel: opts.queue.parallel ?? 1, verified: this.verifiedTrees } } : {}),
        onStep: (step) => progress(describeLandingStep(step, target, plan.verify)),
      });
    } catch (e) {
      backTo(() => ({ status: 'finished' }));
      unmark();
      this.ctx.changed();
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
    const culprits = result.culprits.length > 0 ? result.culprits : c ? [c] : [];
    const checkLogs = new Map<string, string>();
    for (const k of culprits) if (k.kind === 'check') checkLogs.set(k.task, this.keepCheckOutput(k, plan.verify));
    const checkLog = c ? checkLogs.get(c.task) : undefined;
    this.ctx.store.transact((table) => {
      for (const w of writes) {
        const rt = table.state.tasks[w.id];
        if (!rt || rt.state.status !== 'landing') continue;
        const k = culprits.find((x) => x.task === w.id);
        if (landedOver.has(w.id)) {
          const commit = result.landed.find((l) => l.task === w.id)!.commit;
          table.setTask({ ...rt, state: transition(w.id, rt.state, { status: 'landed' }), landedAt: now(), landedOver: landedOver.get(w.id), landedCommit: commit, landedBranch: w.branch });
        }
        else table.setTask({ ...rt, state: k ? culpritState(k) : { status: 'finished' } });
      }
    });
    unmark();
    this.ctx.changed();
    for (const k of culprits) this.tellAgent(k.task, culpritNotice(k, target, writes.find((w) => w.id === k.task)!.branch, checkLogs.get(k.task)));

    const { removed, kept } = await this.cleanUpLanded([...already.map((a) => a.id), ...landedWrites], target, progress);
    const landed = [...readOnly, ...already.map((a) => a.id), ...landedWrites];
    const notLanded = writes.filter((w) => !landedOver.has(w.id)).map((w) => w.id);
    const at = `${target} (${result.after.slice(0, 12)})`;
    const base = { landed, removed, kept, target, before: result.before, after: result.after };
    const culpritView = (k: LandingCulprit) => ({ task: k.task, kind: k.kind, ...(k.paths ? { paths: k.paths } : {}), ...(k.output !== undefined ? { output: k.output } : {}), ...(checkLogs.has(k.task) ? { checkLog: checkLogs.get(k.task) } : {}) });
    const queueParts = opts.queue
      ? {
          culprits: culprits.map(culpritView),
          heldBack: result.heldBack,
          verifyRuns: result.verifyRuns,
        }
      : {};
    if (opts.queue && !result.refused && landedWrites.length + culprits.length + result.heldBack.length > 0) {
      const parts = [
        landedWrites.length > 0 ? `landed ${landedWrites.join(', ')} on ${at} in one batch` : 'nothing landed',
        ...culprits.map((k) => (k.kind === 'conflict' ? `'${k.task}' conflicts in ${(k.paths ?? []).slice(0, 5).join(', ')}` : `'${k.task}' fails the check${k.exitCode != null ? ` (exit ${k.exitCode})` : k.timedOut ? ' (timed out)' : ''}`)),
        ...result.heldBack.map((h) => `'${h.task}' waits for '${h.waitsFor}'`),
        `${result.verifyRuns} verification run${result.verifyRuns === 1 ? '' : 's'}`,
      ];
      return { ok: result.ok, ...base, ...queueParts, ...(c ? { culprit: culpritView(c) } : {}), message: parts.join('; ') };
    }
    if (result.ok) return { ok: true, ...base, ...queueParts, message: `landed ${[...readOnly, ...landedWrites].join(', ')} on ${at}${alreadyNote ? `; ${alreadyNote}` : ''}` };

    const why = c
      ? c.kind === 'conflict'
        ? `'${c.task}' conflicts with ${target} in ${(c.paths ?? []).slice(0, 5).join(', ')}${(c.paths ?? []).length > 5 ? ', …' : ''}`
        : `verify failed after merging '${c.task}'${c.timedOut ? ' (timed out)' : c.exitCode != null ? ` (exit ${c.exitCode})` : ''}`
      : (result.refused?.reason ?? 'refused');
    const outcome = landedWrites.length === 0 ? 'nothing landed' : `landed ${landed.join(', ')} on ${at}; ${notLanded.join(', ')} did not land`;
    return {
      ok: false,
      ...base,
      ...queueParts,
      ...(c ? { culprit: culpritView(c) } : {}),
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
   * Tells a task's agent what happened to its landing: `notifyTask` when given, else the task's mailbox
   * (delivered with its agent's next hook event, as `lockstep send <task>` does; on Redis in team mode).
   */
  private tellAgent(task: string, text: string): void {
    const store = this.ctx.store;
    const notify = this.ctx.opts.notifyTask ?? ((id: string, message: string) => void openMemory(store).send({ from: LANDING_SENDER, to: { kind: 'task', id }, text: message }));
    try {
      notify(task, text);
      this.ctx.log(`task ${task}: told through its mailbox: ${text}`);
    } catch (e) {
      this.ctx.log(`task ${task}: could not deliver the landing notice: ${oneLine(e)}`);
    }
  }

  /** After landing: leases and reservations released; worktrees removed when clean, merged branches deleted. */
  private async cleanUpLanded(ids: readonly string[], target: string, progress: (p: LandingProgress) => void = () => undefined): Promise<{ removed: string[]; kept: KeptItem[] }> {
    const removed: string[] = [];
    const kept: KeptItem[] = [];
    if (ids.length === 0) return { removed, kept };
    this.ctx.store.transact((table) => {
      for (const id of ids) {
        table.unreserve(id);
        const sessions = new Set(table.state.tasks[id]?.sessions ?? []);
        for (const l of Object.values(table.state.leases)) {
          if (l.task === id || sessions.has(l.session) || table.state.sessions[l.session]?.task === id) table.releaseBySession(l.session, [l.key], `released by the scheduler: task ${id} landed`);
        }
      }
    });
    for (const id of ids) {
      const rt = this.ctx.store.read().tasks[id];
      if (!rt) continue;
      let { worktree, branch } = rt;
      if (worktree && fs.existsSync(worktree)) {
        const notRemoved = await removeTaskWorktree(worktree);
        if (notRemoved) kept.push(notRemoved);
        else {
          removed.push(`worktree ${worktree}`);
          worktree = undefined;
        }
      } else worktree = undefined;
      if (branch && worktree === undefined && (await readBranch(this.ctx.root, branch))) {
        const br = branch;
        try {
          await deleteBranch(this.ctx.root, br, target);
          removed.push(`branch ${br}`);
          branch = undefined;
        } catch (e) {
          kept.push({ kind: 'branch', name: br, why: oneLine(e) });
        }
      } else if (branch && worktree !== undefined) {
        kept.push({ kind: 'branch', name: branch, why: `it is checked out in the kept worktree ${worktree}` });
      }
      this.ctx.store.transact((table) => {
        const cur = table.state.tasks[id];
        if (cur) table.setTask({ ...cur, worktree, branch });
      });
    }
    if (removed.length + kept.length > 0) progress({ step: 'cleanup', detail: [...removed.map((r) => `removed ${r}`), ...kept.map((k) => `kept ${k.kind} ${k.name}`)].join('; ') });
    this.ctx.changed();
    return { removed, kept };
  }

  /**
   * Settles tasks left `landing` by a process that died mid-landing: landed when the target contains
   * their branch (the target moved before the crash), else finished. The landing engine itself left
   * the target either untouched or complete; `lockstep doctor` removes its temporary leftovers.
   */
  async settleInterruptedLandings(): Promise<string[]> {
    const stuck = () =>
      Object.values(this.ctx.store.read().tasks)
        .filter((rt) => rt.state.status === 'landing' && startProgress(this.landingMarkers, rt.id).state !== 'in-progress')
        .map((rt) => rt.id);
    const ids = stuck();
    if (ids.length === 0) return [];
    const p = this.ctx.plan.load();
    const target = p.ok ? p.plan.target : 'main';
    const targetTip = await readBranch(this.ctx.root, target);
    const onTarget = new Set<string>();
    for (const id of ids) {
      const tip = await readBranch(this.ctx.root, this.ctx.store.read().tasks[id]?.branch ?? taskBranch(id));
      if (tip && targetTip && (await isAncestor(this.ctx.root, tip, targetTip))) onTarget.add(id);
    }
    const settled: string[] = [];
    this.ctx.store.transact((table) => {
      for (const id of stuck()) {
        const rt = table.state.tasks[id];
        if (!rt || !ids.includes(id)) continue;
        table.setTask({ ...rt, state: { status: onTarget.has(id) ? 'landed' : 'finished' }, ...(onTarget.has(id) ? { landedAt: Date.now() } : {}) });
        settled.push(id);
      }
    });
    for (const id of settled) removeStartMarker(this.landingMarkers, id);
    if (settled.length === 0) return [];
    this.ctx.log(`settled interrupted landings: ${settled.map((id) => `${id} ${onTarget.has(id) ? 'landed' : 'finished'}`).join(', ')}`);
    this.ctx.changed();
    await this.cleanUpLanded(settled.filter((id) => onTarget.has(id)), target);
    return settled;
  }}

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
