// The landing engine: merges task branches (in dependency order) into a candidate commit without
// touching any checkout, verifies it in a temporary worktree, then moves the target branch by
// compare-and-swap together with a landing record (one ref transaction). A conflict or failed check
// leaves the target untouched and names the culprit task.
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import * as z from '../core/zodClassic';
import { GitCommandError, git, runGit } from './gitRunner';
import { InvalidNameError, assertBranchName, validateTaskId, LANDING_TMP_PREFIX } from './refNames';
import { gitCommonDir, isAncestor } from './repository';
import { locateRepo } from '../repoPaths/repoLocator';
import { mergeTrees } from './mergeTree';
import { withRepoLock } from './repoLock';
import { listWorktrees, type WorktreeInfo } from './worktrees';
import { runCheck, type CheckResult } from './checkCommand';
import { maybeInjectFault } from './landingFaults';
import { settleBatch, type BatchEnv, type BatchCulprit } from '../core/batchBisect';
import { readTargetSnapshot, recordRef, refTransaction, writeRecordCommit, type TargetSnapshot } from './landingRecords';
import { checkoutConflicts, updateCheckout, writePendingMarker } from './targetCheckout';
import { LANDING_LOCK, addCheckWorktree, landingDir, removeCheckWorktree } from './landingWorkspace';
import * as fs from 'node:fs';

const VerifySpec = z.object({
  command: z.array(z.string()).min(1).refine((c) => c[0] !== '', { message: 'the program (first element) may not be empty' }),
  timeoutMs: z.number().int().positive(),
  maxOutputBytes: z.number().int().positive(),
});

const LandingInput = z.object({
  repoDir: z.string().min(1),
  target: z.string().min(1),
  tasks: z.array(z.object({ id: z.string().min(1), branch: z.string().min(1), outOfScope: z.array(z.string()).optional(), dependsOn: z.array(z.string()).optional() })).min(1),
  verify: VerifySpec.optional(),
  atomic: z.boolean(),
  retries: z.number().int().min(0).max(20).optional(),
  findCulprit: z.boolean().optional(),
  lockWaitMs: z.number().int().min(0).optional(),
  queue: z.object({ parallel: z.number().int().min(1).max(16).optional(), verified: z.instanceof(Map).optional() }).optional(),
});

export interface LandingTask {
  id: string;
  /** Short branch name, e.g. `lockstep/api`. */
  branch: string;
  /** Files outside the task's scope that land with it by permission (kept in the landing record). */
  outOfScope?: string[];
  /** Tasks of this landing it depends on (queue mode: it lands only with them). */
  dependsOn?: string[];
}

export interface LandingOptions {
  /** Any directory inside the repository. */
  repoDir: string;
  /** Short name of the target branch, e.g. `main`. */
  target: string;
  /** Tasks in dependency order. */
  tasks: LandingTask[];
  /** Command run in a temporary worktree at the candidate; non-zero exit, timeout or spawn failure fails the landing. */
  verify?: { command: string[]; timeoutMs: number; maxOutputBytes: number };
  /** true: all tasks land together or none; false: one by one (each its own compare-and-swap), stopping at the first failure. */
  atomic: boolean;
  /** Rebuilds on a target that moved meanwhile at most this many times. Default 2. */
  retries?: number;
  /** When an atomic candidate fails its check, verify prefixes (bisect) to name the first failing task. Default true. */
  findCulprit?: boolean;
  /** Wait this long for another landing on the repository to finish. Default 10 min. */
  lockWaitMs?: number;
  /**
   * Queue mode (core/batchBisect.ts): the tasks are one batch; a conflicting or failing task is taken
   * out (with the tasks that depend on it) and everything that passes lands with one compare-and-swap.
   * `parallel`: verification runs at once while bisecting (default 1); `verified`: check results by
   * tree id, shared between landings. `atomic` and `findCulprit` are ignored.
   */
  queue?: { parallel?: number; verified?: Map<string, CheckResult> };
  /** Progress (awaited; tests use it to interleave other processes). */
  onStep?: (step: LandingStep) => void | Promise<void>;
}

export type LandingStep =
  | { kind: 'merged'; task: string; commit: string; alreadyMerged: boolean }
  | { kind: 'candidate'; base: string; commit: string }
  | { kind: 'check-started'; commit: string; worktree: string }
  | { kind: 'check-finished'; commit: string; ok: boolean }
  | { kind: 'before-ref-update'; old: string; new: string }
  | { kind: 'ref-updated'; old: string; new: string; landing: number }
  | { kind: 'checkout-updated'; worktree: string }
  | { kind: 'retry'; reason: string };

export interface LandedTask {
  task: string;
  branch: string;
  /** The merge commit on the target (the branch tip when it was already merged). */
  commit: string;
  alreadyMerged: boolean;
  /** Landing record number (refs/lockstep/landings/<n>); absent when nothing moved. */
  landing?: number;
}

export interface LandingCulprit {
  task: string;
  kind: 'conflict' | 'check';
  /** Conflicting paths (kind 'conflict'). */
  paths?: string[];
  /** Captured check output, capped (kind 'check'). */
  output?: string;
  exitCode?: number | null;
  timedOut?: boolean;
}

export interface LandingRefusal {
  kind: 'target-moved' | 'dirty-checkout' | 'target-fails-check';
  reason: string;
  worktree?: string;
  paths?: string[];
}

export interface LandingResult {
  ok: boolean;
  target: string;
  /** Target tip when the landing started. */
  before: string;
  /** Target tip when it finished (equal to `before` when nothing landed). */
  after: string;
  landed: LandedTask[];
  culprit?: LandingCulprit;
  /** Every culprit (queue mode finds several; otherwise at most `culprit`). */
  culprits: LandingCulprit[];
  /** Queue mode: tasks not landed because a task they depend on is a culprit. */
  heldBack: { task: string; waitsFor: string }[];
  /** Verification runs (each in its own temporary worktree). */
  verifyRuns: number;
  refused?: LandingRefusal;
  /** Landing record numbers written (one per compare-and-swap). */
  landings: number[];
  /** Checkouts of the target that could not be updated after the ref moved (cleanup retries them). */
  checkoutErrors: { worktree: string; error: string }[];
}

export class LandingInputError extends Error {
  override readonly name = 'LandingInputError';
}

interface Ctx {
  repoDir: string;
  commonDir: string;
  target: string;
  targetRef: string;
  opts: LandingOptions;
  tips: Map<string, string>;
  landingId: string;
  commitEnv?: Record<string, string>;
  checkSeq: number;
  /** Merge commits written, by `<parent> <task tip>` (queue mode rebuilds chains without redoing them). */
  merges?: Map<string, ChainLink | { conflict: string[] }>;
  mergeCount?: number;
  /** Target snapshot and worktrees read before taking the lock; used by the first attempt only. */
  prefetched?: { snapshot: TargetSnapshot; worktrees: WorktreeInfo[] };
}

/** Lands task branches on the target. Throws LandingInputError for bad input; outcomes are in the result. */
export async function land(options: LandingOptions): Promise<LandingResult> {
  const parsed = LandingInput.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new LandingInputError(`land: ${issue.path.join('.') || 'options'}: ${issue.message}`);
  }
  if (options.onStep !== undefined && typeof options.onStep !== 'function') throw new LandingInputError('land: onStep: must be a function');
  let target: string;
  try {
    target = assertBranchName(options.target, 'target');
    const seen = new Set<string>();
    options.tasks.forEach((t, i) => {
      validateTaskId(t.id, `tasks.${i}.id`);
      assertBranchName(t.branch, `tasks.${i}.branch`);
      if (t.branch === target) throw new InvalidNameError(`tasks.${i}.branch: is the target branch itself`);
      if (seen.has(t.id)) throw new InvalidNameError(`tasks.${i}.id: duplicate task id ${t.id}`);
      seen.add(t.id);
    });
  } catch (err) {
    if (err instanceof InvalidNameError) throw new LandingInputError(`land: ${err.message}`);
    throw err;
  }
  const repoDir = path.resolve(options.repoDir);
  const targetRef = `refs/heads/${target}`;
  // Independent reads run concurrently (spawn latency, not git, dominates small landings). The target
  // snapshot may be read before the lock: a landing slipping in between makes the compare-and-swap
  // (or the record creation) fail, and the attempt is rebuilt from a fresh read.
  const branchRefs = options.tasks.map((t) => `refs/heads/${t.branch}`);
  let commonDir: string;
  try {
    commonDir = locateRepo(repoDir).commonDir; // file system only: no git process
  } catch {
    commonDir = await gitCommonDir(repoDir).catch(() => {
      throw new LandingInputError(`land: repoDir: ${repoDir} is not inside a git repository`);
    });
  }
  const [worktrees, first] = await Promise.all([listWorktrees(repoDir), readTargetSnapshot(repoDir, targetRef, branchRefs)]);
  if (!first.head) throw new LandingInputError(`land: target: branch ${target} does not exist`);
  const tips = new Map<string, string>();
  options.tasks.forEach((t, i) => {
    const tip = first.refs.get(branchRefs[i]);
    if (!tip) throw new LandingInputError(`land: tasks.${i}.branch: branch ${t.branch} does not exist`);
    tips.set(t.id, tip);
  });

  return withRepoLock(
    commonDir,
    LANDING_LOCK,
    async ({ waited }) => {
      // After waiting for another landing, what was read before taking the lock is stale.
      const [snap, wts] = waited
        ? await Promise.all([readTargetSnapshot(repoDir, targetRef), listWorktrees(repoDir)])
        : [first, worktrees];
      if (!snap.head) throw new LandingInputError(`land: target: branch ${target} does not exist`);
      const ctx: Ctx = {
        repoDir,
        commonDir,
        target,
        targetRef,
        opts: options,
        tips,
        landingId: `${Date.now().toString(36)}-${process.pid}-${randomBytes(3).toString('hex')}`,
        checkSeq: 0,
        prefetched: { snapshot: snap, worktrees: wts },
      };
      const result: LandingResult = { ok: true, target, before: snap.head.commit, after: snap.head.commit, landed: [], culprits: [], heldBack: [], verifyRuns: 0, landings: [], checkoutErrors: [] };
      const groups = options.atomic || options.queue ? [options.tasks] : options.tasks.map((t) => [t]);
      for (const group of groups) {
        const outcome = await landGroup(ctx, group);
        result.after = outcome.after;
        result.landed.push(...outcome.landed);
        if (outcome.landing !== undefined) result.landings.push(outcome.landing);
        result.checkoutErrors.push(...outcome.checkoutErrors);
        result.verifyRuns = ctx.checkSeq;
        const culprits = outcome.culprits ?? (outcome.culprit ? [outcome.culprit] : []);
        result.culprits.push(...culprits);
        result.heldBack.push(...(outcome.heldBack ?? []));
        if (culprits.length > 0 || outcome.refused || (outcome.heldBack ?? []).length > 0) {
          result.ok = false;
          if (culprits.length > 0) result.culprit = culprits[0];
          if (outcome.refused) result.refused = outcome.refused;
          break;
        }
      }
      return result;
    },
    { waitMs: options.lockWaitMs ?? 600_000 },
  );
}

interface GroupOutcome {
  after: string;
  landed: LandedTask[];
  landing?: number;
  culprit?: LandingCulprit;
  culprits?: LandingCulprit[];
  heldBack?: { task: string; waitsFor: string }[];
  refused?: LandingRefusal;
  checkoutErrors: { worktree: string; error: string }[];
}

interface Candidate {
  base: string;
  commit: string;
  /** Candidate after each task (prefixes), for naming the culprit of a failed check. */
  merges: { task: LandingTask; commit: string; alreadyMerged: boolean }[];
  conflict?: LandingCulprit;
}

async function landGroup(ctx: Ctx, tasks: LandingTask[]): Promise<GroupOutcome> {
  const retries = ctx.opts.retries ?? 2;
  // Queue mode: culprits found in an attempt stay out of the next (a target that moved is retried with what passed).
  const culprits: LandingCulprit[] = [];
  const heldBack: { task: string; waitsFor: string }[] = [];
  const verifiedTrees = ctx.opts.queue?.verified ?? new Map<string, CheckResult>();
  for (let attempt = 0; ; attempt++) {
    const pre = ctx.prefetched;
    ctx.prefetched = undefined;
    const snapshot = pre?.snapshot ?? (await readTargetSnapshot(ctx.repoDir, ctx.targetRef));
    const head = snapshot.head;
    if (!head) throw new Error(`target branch ${ctx.target} disappeared during the landing`);
    const queued = ctx.opts.queue ? { culprits, heldBack } : {};
    const none: GroupOutcome = { after: head.commit, landed: [], checkoutErrors: [], ...queued };
    let cand: Candidate;
    let verified = false;
    if (ctx.opts.queue) {
      const settled = await settleBatch(tasks, batchEnv(ctx, head), { parallel: ctx.opts.queue.parallel ?? 1, cache: verifiedTrees });
      culprits.push(...settled.culprits.map(toLandingCulprit));
      heldBack.push(...settled.heldBack);
      if (settled.baseFailed) {
        const run = settled.baseFailed;
        const last = run.output.trim().split('\n').pop() ?? '';
        return { ...none, refused: { kind: 'target-fails-check', reason: `the check fails on ${ctx.target} itself${run.timedOut ? ' (timed out)' : run.exitCode != null ? ` (exit ${run.exitCode})` : ''}${last ? `: ${last.slice(0, 200)}` : ''}; no task is to blame, nothing landed` } };
      }
      if (settled.land.length === 0) return none;
      const byId = new Map(tasks.map((t) => [t.id, t]));
      tasks = settled.land.map((t) => byId.get(t.id)!);
      cand = { base: head.commit, commit: settled.candidate.commit, merges: settled.chain.map((l) => ({ task: l.task!, commit: l.commit, alreadyMerged: l.alreadyMerged === true })) };
      await ctx.opts.onStep?.({ kind: 'candidate', base: head.commit, commit: cand.commit });
      verified = true;
    } else {
      cand = await buildCandidate(ctx, head.commit, head.tree, tasks);
      if (cand.conflict) return { ...none, culprit: cand.conflict };
    }
    const landedTasks = (landing?: number): LandedTask[] =>
      cand.merges.map((m) => ({ task: m.task.id, branch: m.task.branch, commit: m.alreadyMerged ? ctx.tips.get(m.task.id)! : m.commit, alreadyMerged: m.alreadyMerged, ...(landing !== undefined && !m.alreadyMerged ? { landing } : {}) }));
    if (cand.commit === head.commit) return { ...none, landed: landedTasks() }; // everything was already merged

    const checkouts = (pre?.worktrees ?? (await listWorktrees(ctx.repoDir))).filter((w) => w.branch === ctx.target && !w.bare);
    for (const w of checkouts) {
      const block = await checkoutConflicts(ctx.repoDir, w.path, head.commit, cand.commit);
      if (block) return { ...none, refused: { kind: 'dirty-checkout', reason: block.reason, worktree: block.worktree, paths: block.paths } };
    }

    const tmpRef = `${LANDING_TMP_PREFIX}${ctx.landingId}`;
    let tmpRefWritten = false;
    try {
      if (ctx.opts.verify) {
        // Keeps the candidate reachable (gc) while the check runs; cleanup knows this namespace.
        await runGit(['update-ref', tmpRef, cand.commit, ''], { cwd: ctx.repoDir });
        tmpRefWritten = true;
        maybeInjectFault('after-candidate');
        if (!verified) {
          const check = await verifyCommit(ctx, cand.commit);
          if (!check.ok) return { ...none, culprit: await nameCheckCulprit(ctx, cand, check) };
        }
      } else {
        maybeInjectFault('after-candidate');
      }

      await ctx.opts.onStep?.({ kind: 'before-ref-update', old: head.commit, new: cand.commit });
      maybeInjectFault('before-ref-update');
      // Re-check right before the move: the checkout may have changed while the check ran.
      for (const w of checkouts) {
        const block = await checkoutConflicts(ctx.repoDir, w.path, head.commit, cand.commit);
        if (block) return { ...none, refused: { kind: 'dirty-checkout', reason: block.reason, worktree: block.worktree, paths: block.paths } };
      }
      const n = snapshot.nextNumber;
      const record = await writeRecordCommit(ctx.repoDir, { n, target: ctx.target, before: head.commit, after: cand.commit, tasks }, ctx.commitEnv);
      const dir = landingDir(ctx.commonDir);
      const markers = checkouts.map((w) => writePendingMarker(dir, { worktree: w.path, target: ctx.target, from: head.commit, to: cand.commit }));
      const lines = [`update ${ctx.targetRef} ${cand.commit} ${head.commit}`, `create ${recordRef(n)} ${record}`];
      if (tmpRefWritten) lines.push(`delete ${tmpRef} ${cand.commit}`);
      try {
        await refTransaction(ctx.repoDir, lines, `lockstep: land ${tasks.map((t) => t.id).join(', ')} onto ${ctx.target} (landing ${n})`);
        tmpRefWritten = false;
      } catch (err) {
        for (const m of markers) fs.rmSync(m, { force: true });
        if (!(err instanceof GitCommandError)) throw err;
        const fresh = await readTargetSnapshot(ctx.repoDir, ctx.targetRef);
        const now = fresh.head;
        // Neither the target moved nor another landing took our record number: a real failure.
        if (now?.commit === head.commit && fresh.nextNumber === n) throw err;
        const reason =
          now?.commit === head.commit
            ? `another landing onto ${ctx.target} was recorded meanwhile`
            : `${ctx.target} moved from ${head.commit.slice(0, 12)} to ${now ? now.commit.slice(0, 12) : '(deleted)'} during the landing`;
        if (attempt < retries && now) {
          await ctx.opts.onStep?.({ kind: 'retry', reason });
          continue;
        }
        return { ...none, refused: { kind: 'target-moved', reason: `${reason}; gave up after ${attempt + 1} attempt(s)` } };
      }
      await ctx.opts.onStep?.({ kind: 'ref-updated', old: head.commit, new: cand.commit, landing: n });
      maybeInjectFault('after-ref-update');

      const checkoutErrors: { worktree: string; error: string }[] = [];
      for (const [i, w] of checkouts.entries()) {
        try {
          await updateCheckout(w.path, head.commit, cand.commit);
          fs.rmSync(markers[i], { force: true });
          await ctx.opts.onStep?.({ kind: 'checkout-updated', worktree: w.path });
        } catch (err) {
          checkoutErrors.push({ worktree: w.path, error: (err as Error).message });
        }
      }
      return { after: cand.commit, landed: landedTasks(n), landing: n, checkoutErrors, ...queued };
    } finally {
      if (tmpRefWritten) await runGit(['update-ref', '-d', tmpRef], { cwd: ctx.repoDir }).catch(() => undefined);
    }
  }
}

/** A candidate in a queue's chain: the target with some tasks merged. */
interface ChainLink {
  commit: string;
  tree: string;
  /** The task merged last (absent for the base). */
  task?: LandingTask;
  alreadyMerged?: boolean;
}

const NO_CHECK: CheckResult = { ok: true, exitCode: 0, signal: null, timedOut: false, output: '', outputBytes: 0, truncated: false };

// Merging and verifying for core/batchBisect.ts, on the target's tip `head`.
function batchEnv(ctx: Ctx, head: { commit: string; tree: string }): BatchEnv<ChainLink, CheckResult> {
  const memo = (ctx.merges ??= new Map());
  const byId = new Map(ctx.opts.tasks.map((t) => [t.id, t]));
  const base: ChainLink = { commit: head.commit, tree: head.tree };
  return {
    base,
    key: (c) => c.tree,
    verify: (c) => (ctx.opts.verify ? verifyCommit(ctx, c.commit) : Promise.resolve(NO_CHECK)),
    async build(batch) {
      const chain: ChainLink[] = [];
      let cur = base;
      for (const [i, b] of batch.entries()) {
        const task = byId.get(b.id)!;
        const tip = ctx.tips.get(task.id)!;
        const k = `${cur.commit} ${tip}`;
        let link = memo.get(k);
        if (!link) {
          const merge = await mergeTrees(ctx.repoDir, cur.commit, tip);
          if (!merge.clean) link = { conflict: merge.conflicts };
          else if (merge.tree === cur.tree && (await isAncestor(ctx.repoDir, tip, cur.commit))) link = { commit: cur.commit, tree: cur.tree, task, alreadyMerged: true };
          else {
            const commit = await commitTree(ctx, merge.tree, [cur.commit, tip], `Land ${task.id}\n\nLockstep-Task: ${task.id}\nLockstep-Branch: ${task.branch}\n`);
            link = { commit, tree: merge.tree, task };
            ctx.mergeCount = (ctx.mergeCount ?? 0) + 1;
            maybeInjectFault('after-merge', ctx.mergeCount);
          }
          memo.set(k, link);
          if (!('conflict' in link)) await ctx.opts.onStep?.({ kind: 'merged', task: task.id, commit: link.commit, alreadyMerged: link.alreadyMerged === true });
        }
        if ('conflict' in link) return { chain, conflict: { index: i, paths: link.conflict } };
        chain.push(link);
        cur = link;
      }
      return { chain };
    },
  };
}

function toLandingCulprit(c: BatchCulprit<CheckResult>): LandingCulprit {
  if (c.kind === 'conflict') return { task: c.task, kind: 'conflict', paths: c.paths };
  return { task: c.task, kind: 'check', output: c.run.output, exitCode: c.run.exitCode, timedOut: c.run.timedOut };
}

async function buildCandidate(ctx: Ctx, base: string, baseTree: string, tasks: LandingTask[]): Promise<Candidate> {
  let commit = base;
  let tree = baseTree;
  const merges: Candidate['merges'] = [];
  for (const [i, task] of tasks.entries()) {
    const tip = ctx.tips.get(task.id)!;
    const merge = await mergeTrees(ctx.repoDir, commit, tip);
    if (!merge.clean) return { base, commit, merges, conflict: { task: task.id, kind: 'conflict', paths: merge.conflicts } };
    // Same tree: maybe already merged (then no merge commit); ancestry decides.
    if (merge.tree === tree && (await isAncestor(ctx.repoDir, tip, commit))) {
      merges.push({ task, commit, alreadyMerged: true });
      await ctx.opts.onStep?.({ kind: 'merged', task: task.id, commit, alreadyMerged: true });
      continue;
    }
    commit = await commitTree(ctx, merge.tree, [commit, tip], `Land ${task.id}\n\nLockstep-Task: ${task.id}\nLockstep-Branch: ${task.branch}\n`);
    tree = merge.tree;
    merges.push({ task, commit, alreadyMerged: false });
    maybeInjectFault('after-merge', i + 1);
    await ctx.opts.onStep?.({ kind: 'merged', task: task.id, commit, alreadyMerged: false });
  }
  await ctx.opts.onStep?.({ kind: 'candidate', base, commit });
  return { base, commit, merges };
}

// commit-tree with the user's identity; when none is configured, a Lockstep identity.
async function commitTree(ctx: Ctx, tree: string, parents: string[], message: string): Promise<string> {
  const args = ['commit-tree', tree, ...parents.flatMap((p) => ['-p', p]), '-m', message];
  try {
    return await git(args, { cwd: ctx.repoDir, env: ctx.commitEnv });
  } catch (err) {
    if (ctx.commitEnv || !(err instanceof GitCommandError) || !/tell me who you are|empty ident|unable to auto-detect email/i.test(err.stderr)) throw err;
    ctx.commitEnv = { GIT_AUTHOR_NAME: 'Lockstep', GIT_AUTHOR_EMAIL: 'lockstep@localhost', GIT_COMMITTER_NAME: 'Lockstep', GIT_COMMITTER_EMAIL: 'lockstep@localhost' };
    return git(args, { cwd: ctx.repoDir, env: ctx.commitEnv });
  }
}

async function verifyCommit(ctx: Ctx, commit: string): Promise<CheckResult> {
  const spec = ctx.opts.verify!;
  const seq = ++ctx.checkSeq;
  const wt = await addCheckWorktree(ctx.repoDir, ctx.commonDir, `check-${ctx.landingId}-${seq}`, commit);
  try {
    await ctx.opts.onStep?.({ kind: 'check-started', commit, worktree: wt });
    const result = await runCheck(spec, {
      cwd: wt,
      env: { LOCKSTEP_LANDING_CANDIDATE: commit, LOCKSTEP_LANDING_TARGET: ctx.target },
      onStarted: () => maybeInjectFault('during-check', seq),
    });
    await ctx.opts.onStep?.({ kind: 'check-finished', commit, ok: result.ok });
    return result;
  } finally {
    await removeCheckWorktree(ctx.repoDir, ctx.commonDir, wt);
  }
}

// The full candidate failed its check. With several tasks, verify prefixes (binary search) to find the
// first task whose merge makes the check fail; that task is the culprit.
async function nameCheckCulprit(ctx: Ctx, cand: Candidate, fullRun: CheckResult): Promise<LandingCulprit> {
  const asCulprit = (i: number, run: CheckResult): LandingCulprit => ({ task: cand.merges[i].task.id, kind: 'check', output: run.output, exitCode: run.exitCode, timedOut: run.timedOut });
  const n = cand.merges.length;
  if (n === 1 || ctx.opts.findCulprit === false) return asCulprit(n - 1, fullRun);
  let lo = 0;
  let hi = n - 1; // index of the last task; its prefix (the full candidate) fails
  let failing = fullRun;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const run = await verifyCommit(ctx, cand.merges[mid].commit);
    if (run.ok) lo = mid + 1;
    else {
      hi = mid;
      failing = run;
    }
  }
  return asCulprit(lo, failing);
}
