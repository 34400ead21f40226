// Plan editing, for the scheduler: the plan file (`.lockstep/plan.yaml` by default) read and checked,
// and rewritten atomically through planFile.ts's helpers. Every write of the plan goes through here,
// so a running task's scope, readOnly and agent (its reservation, worktree, hooks and session were made
// from them) are never changed under it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { climbsOut } from '../core/pathKey';
import { resolveWorktreesRoot, taskById, type Plan, type TaskSpec, type TaskSpecInput } from '../core/plan';
import { DEFAULT_PLAN_FILE, PlanError, tryParsePlan, updateTask as updatePlanTask, type PlanIssue } from '../core/planFile';
import type { ValidatePlanResult } from '../protocol/schedulerMethods';
import { agentKeyOf } from './agentTemplates';
import { SchedulerError, issueView, oneLine } from './schedulerError';

export type PlanLoad = { ok: true; plan: Plan; text: string } | { ok: false; exists: boolean; issues: PlanIssue[] };

export interface PlanDocumentOptions {
  /** Root of the checkout the plan belongs to. */
  root: string;
  /** Plan file, absolute or relative to the checkout root. Default `.lockstep/plan.yaml`. */
  planFile?: string;
  /** Overrides the plan's maxParallel. */
  maxParallel?: number;
  /** Why task `id` must keep its scope, readOnly and agent ('running', 'being started'…), if it must. */
  liveStatus: (id: string) => string | undefined;
  /** Called after every write of the plan file. */
  changed: () => void;
}

export class PlanDocument {
  readonly root: string;
  readonly path: string;

  constructor(private readonly opts: PlanDocumentOptions) {
    this.root = opts.root;
    this.path = path.resolve(opts.root, opts.planFile ?? DEFAULT_PLAN_FILE);
  }

  /** The plan file as messages name it: relative to the checkout when inside it. */
  get displayName(): string {
    const rel = path.relative(this.root, this.path);
    return climbsOut(rel) || path.isAbsolute(rel) ? this.path : rel.split(path.sep).join('/');
  }

  load(): PlanLoad {
    let text: string;
    try {
      text = fs.readFileSync(this.path, 'utf8');
    } catch (e) {
      const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
      const message = missing ? `no plan: create ${this.displayName} (see lockstep plan validate --help)` : `cannot read: ${oneLine(e)}`;
      return { ok: false, exists: !missing, issues: [{ file: this.displayName, line: 0, field: '', message }] };
    }
    const r = tryParsePlan(text, { file: this.displayName, repoRoot: this.root });
    return r.ok ? { ok: true, plan: r.plan, text } : { ok: false, exists: true, issues: r.issues };
  }

  /** The plan, or a SchedulerError naming its first problem. */
  require(): Plan {
    const p = this.load();
    if (!p.ok) {
      const views = p.issues.map(issueView);
      throw new SchedulerError(`${views[0]!.text}${views.length > 1 ? ` (and ${views.length - 1} more)` : ''}; nothing was started`, { issues: views });
    }
    return p.plan;
  }

  /** Checks the plan file (or `text`) without changing anything. */
  validate(text?: string): ValidatePlanResult {
    if (text === undefined) {
      const p = this.load();
      return p.ok ? { valid: true, issues: [] } : { valid: false, issues: p.issues.map(issueView) };
    }
    const r = tryParsePlan(text, { file: this.displayName, repoRoot: this.root });
    return r.ok ? { valid: true, issues: [] } : { valid: false, issues: r.issues.map(issueView) };
  }

  /**
   * Rewrites the plan file with `edit(text)` (a planFile.ts helper), atomically. The helpers throw
   * PlanError when the result would be invalid; then nothing is written.
   */
  edit(edit: (text: string) => string): void {
    let text = '';
    try {
      text = fs.readFileSync(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new SchedulerError(`${this.displayName}: cannot read: ${oneLine(e)}`);
    }
    let next: string;
    try {
      next = edit(text);
    } catch (e) {
      if (e instanceof PlanError) throw new SchedulerError(e.message, { issues: e.issues.map(issueView) });
      throw e;
    }
    fs.mkdirSync(path.dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, next);
    fs.renameSync(tmp, this.path);
    this.opts.changed();
  }

  /**
   * Edits task `id` in the plan file with `patch` (null-free; undefined removes a field). A running task
   * keeps its scope, readOnly and agent: its reservation, worktree, hooks and session were made from
   * them, so changing one is refused (one line) until it is stopped or finished; other fields may change.
   */
  updateTask(id: string, patch: Partial<TaskSpecInput>): void {
    const file = this.displayName;
    this.edit((text) => {
      const next = updatePlanTask(text, id, patch, { file });
      const live = this.opts.liveStatus(id);
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

  maxParallel(plan: Plan): number {
    return this.opts.maxParallel ?? plan.maxParallel;
  }

  worktreesRoot(plan: Plan): string {
    const r = resolveWorktreesRoot(plan.worktreesRoot, this.root);
    if (!r.ok) throw new SchedulerError(`worktreesRoot: ${r.message}`);
    return r.path;
  }
}
