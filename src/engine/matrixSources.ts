// Gathers the matrix's input from the repository: the plan file, the tracked files, the task
// branches (what each changed since forking, and merge simulations between them), and, for the CLI
// which runs without the server, "who is editing what" from the store and `git status` of the task
// worktrees. The server passes the coordinator's live collections instead.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ScopeIndex } from '../core/globOverlap';
import type { LeaseTableState } from '../core/model';
import { taskBranch, type Plan } from '../core/plan';
import { DEFAULT_PLAN_FILE, tryParsePlan } from '../core/planFile';
import type { TaskRuntime } from '../core/task';
import { suggestWaves } from '../core/waves';
import { readRef } from '../git/repository';
import { worktreeChanges } from '../git/status';
import type { MatrixState, WavesView } from '../protocol/matrixMethods';
import { buildEditingModel, type WorktreeState } from './editingModel';
import type { MatrixGit, BranchChanges } from '../git/matrixGit';
import { deriveParticipants, mergeCandidates, type BranchFacts, type EditingFacts } from './matrixParticipants';
import type { MatrixInput, MergeFact } from './matrixTracker';

export interface PlanFacts {
  view: MatrixState['plan'];
  plan?: Plan;
  text?: string;
}

/** Reads and validates the plan; never throws. `cache` keeps the parsed plan while the text is unchanged. */
export function readPlanFacts(root: string, cache?: { text?: string; facts?: PlanFacts }, planFile = DEFAULT_PLAN_FILE): PlanFacts {
  const file = path.resolve(root, planFile);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    return { view: { file, exists: !missing, valid: false, issue: missing ? `no plan: create ${planFile}` : `${planFile}: cannot read: ${(e as Error).message.split('\n')[0]}` } };
  }
  if (cache?.facts && cache.text === text) return cache.facts;
  const r = tryParsePlan(text, { file: planFile, repoRoot: root });
  const facts: PlanFacts = r.ok
    ? { view: { file, exists: true, valid: true, target: r.plan.target }, plan: r.plan, text }
    : { view: { file, exists: true, valid: false, issue: `${r.issues[0]!.file}:${r.issues[0]!.line}: ${r.issues[0]!.field ? `${r.issues[0]!.field}: ` : ''}${r.issues[0]!.message}` }, text };
  if (cache) {
    cache.text = text;
    cache.facts = facts;
  }
  return facts;
}

/** No task has started: every task is still queued or ready (or unknown to the store). */
export function nothingStarted(plan: Plan, runtime: Readonly<Record<string, TaskRuntime>>): boolean {
  return plan.tasks.every((t) => {
    const s = runtime[t.id]?.state.status;
    return s === undefined || s === 'queued' || s === 'ready';
  });
}

const wavesCache = new WeakMap<Plan, WeakMap<ScopeIndex, string[][]>>();

/** Suggested waves of a valid plan (cached per plan and tracked files). */
export function suggestedWaves(plan: Plan, index: ScopeIndex): string[][] {
  let byIndex = wavesCache.get(plan);
  if (!byIndex) wavesCache.set(plan, (byIndex = new WeakMap()));
  let waves = byIndex.get(index);
  if (!waves) {
    waves = suggestWaves(plan.tasks, index, { maxPerWave: plan.maxParallel });
    byIndex.set(index, waves);
  }
  return waves;
}

export function wavesView(plan: Plan | undefined, index: ScopeIndex, runtime: Readonly<Record<string, TaskRuntime>>): WavesView | null {
  if (!plan || plan.tasks.length === 0) return null;
  let suggested: string[][];
  try {
    suggested = suggestedWaves(plan, index);
  } catch {
    return null; // a dependency cycle: the plan is invalid anyway
  }
  const phases = [...new Set(plan.tasks.map((t) => t.phase))].sort((a, b) => a - b);
  const byPhase = phases.map((p) => plan.tasks.filter((t) => t.phase === p).map((t) => t.id).sort().join('\n'));
  const byWave = suggested.map((w) => [...w].sort().join('\n'));
  const matchesPhases = byPhase.length === byWave.length && byPhase.every((p, i) => p === byWave[i]);
  return { suggested, matchesPhases, applicable: nothingStarted(plan, runtime) };
}

export interface BranchGathering {
  branches: Map<string, BranchFacts>;
  merges: MergeFact[];
  summary: MatrixState['merge'];
}

/** Task branches, what each changed since forking from the target, and merge simulations between them. */
export async function gatherBranches(git: MatrixGit, plan: Plan | undefined, runtime: Readonly<Record<string, TaskRuntime>>): Promise<BranchGathering> {
  const out: BranchGathering = { branches: new Map(), merges: [], summary: { pairsChecked: 0, pairsSkipped: 0, errors: [] } };
  if (!plan) return out;
  const ids = mergeCandidates(plan, runtime);
  const tips = await git.tips([plan.target, ...ids.map(taskBranch)]);
  const targetTip = tips.get(plan.target);
  if (!targetTip) return out;
  const withTips: { id: string; tip: string; changes: BranchChanges }[] = [];
  for (const id of ids) {
    const tip = tips.get(taskBranch(id));
    if (!tip) continue;
    const changes = await git.branchChanges(targetTip, tip);
    out.branches.set(id, { branch: taskBranch(id), tip, files: changes.files });
    withTips.push({ id, tip, changes });
  }
  for (let i = 0; i < withTips.length; i++) {
    for (let j = i + 1; j < withTips.length; j++) {
      const a = withTips[i]!;
      const b = withTips[j]!;
      const r = await git.mergeConflicts(a, b);
      if (r.via === 'disjoint') out.summary.pairsSkipped++;
      else out.summary.pairsChecked++;
      if (r.error) out.summary.errors.push({ a: a.id, b: b.id, message: r.error });
      out.merges.push({ tasks: [a.id, b.id], paths: r.paths });
    }
  }
  return out;
}

export interface InputSources {
  repoRoot: string;
  planFacts: PlanFacts;
  index: ScopeIndex;
  runtime: Readonly<Record<string, TaskRuntime>>;
  editing: EditingFacts;
  git: MatrixGit;
  plannedOnly: boolean;
}

/** Everything the tracker needs for one update. */
export async function buildMatrixInput(src: InputSources): Promise<MatrixInput> {
  const plan = src.planFacts.plan;
  const gathered = src.plannedOnly ? undefined : await gatherBranches(src.git, plan, src.runtime);
  const participants = deriveParticipants({
    plan,
    runtime: src.runtime,
    editing: src.editing,
    branches: gathered?.branches ?? new Map(),
    plannedOnly: src.plannedOnly,
  });
  return {
    plannedOnly: src.plannedOnly,
    repoRoot: src.repoRoot,
    plan: src.planFacts.view,
    ...(plan ? { planValue: plan } : {}),
    index: src.index,
    participants,
    merges: gathered?.merges ?? [],
    mergeSummary: gathered?.summary ?? { pairsChecked: 0, pairsSkipped: 0, errors: [] },
    waves: wavesView(plan, src.index, src.runtime),
  };
}

/**
 * "Who is editing what" without the server: the store's sessions, leases and recorded edits, and the
 * uncommitted changes of the main checkout, of every task worktree and of every worktree with
 * recorded edits (`git status`).
 */
export async function editingFactsFromRepo(root: string, state: LeaseTableState, now = Date.now()): Promise<EditingFacts> {
  const dirs = new Set<string>([root]);
  for (const rt of Object.values(state.tasks)) if (rt.worktree && fs.existsSync(rt.worktree)) dirs.add(rt.worktree);
  // And every worktree a session recorded edits in (an agent outside the plan, in a worktree of its own).
  for (const e of state.edits) if (!dirs.has(e.worktree) && fs.existsSync(e.worktree)) dirs.add(e.worktree);
  const worktrees: WorktreeState[] = [];
  for (const dir of dirs) {
    try {
      const changes = await worktreeChanges(dir);
      worktrees.push({ path: dir, main: dir === root, head: await readRef(dir, 'HEAD'), changes: changes.map((c) => ({ key: c.key, change: c.kind })) });
    } catch {
      // A worktree git cannot read (removed meanwhile): its changes are unknown, not empty.
    }
  }
  return buildEditingModel({ now, store: state, worktrees, transcriptSessions: [], transcriptEdits: [] });
}
