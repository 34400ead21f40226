// The live conflict matrix as the server runs it (MatrixEngine) on a real repository of 20,000
// tracked files with 50 tasks of broad globs, 12 of them with branches (some conflicting):
//  - the planned matrix build (scopes only), against a baseline measured in the same run (picomatch
//    of every file for every pair);
//  - the update after one file changes (a session edits one more file), against a full rebuild of
//    the matrix from the same input; git time (for-each-ref) excluded and reported separately;
//  - the update after a commit on one branch, with its git merge-tree time reported separately.
// Run: node --import tsx test/bench/matrixLive.bench.ts
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { cpus, loadavg } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import picomatch from 'picomatch';
import { stringify } from 'yaml';
import type { TaskRuntime } from '../../src/core/task';
import type { EditView, LeaseView, SessionView } from '../../src/protocol/coordinatorState';
import { MatrixEngine } from '../../src/engine/matrixEngine';
import type { EditingFacts } from '../../src/engine/matrixParticipants';
import { buildMatrixInput, readPlanFacts } from '../../src/engine/matrixSources';
import { MatrixTracker } from '../../src/engine/matrixTracker';
import { TrackedScopeIndex } from '../../src/scheduler/trackedScopeIndex';
import { makeTempRepo } from '../helpers/tempRepo';

const FILES = 20_000;
const TASKS = 50;
const BRANCHES = 12;

function syntheticFiles(): string[] {
  const files: string[] = [];
  const exts = ['ts', 'ts', 'ts', 'test.ts', 'json', 'md', 'css'];
  let i = 0;
  while (files.length < FILES - 500) {
    files.push(`src/pkg${i % 25}/area${Math.floor(i / 25) % 8}/mod${Math.floor(i / 200)}/file${i}.${exts[i % exts.length]}`);
    i++;
  }
  for (let d = 0; files.length < FILES; d++) files.push(`docs/section${d % 20}/page${d}.md`);
  return files;
}

const crossCutting = ['**/*.json', 'src/**/*.test.ts', 'docs/**', 'src/**/*.css', '**/*.md'];
const scopeOf = (t: number) => [`src/pkg${t % 25}/**`, `src/*/area${t % 8}/**`, crossCutting[t % crossCutting.length]!];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

async function main(): Promise<void> {
const t0 = performance.now();
const repo = makeTempRepo({ prefix: 'lockstep-matrix-bench-', files: { 'README.md': '# bench\n' } });
try {
  const files = syntheticFiles();
  const dirs = new Set(files.map((f) => path.dirname(f)));
  for (const d of dirs) fs.mkdirSync(path.join(repo.root, d), { recursive: true });
  files.forEach((f, i) => fs.writeFileSync(path.join(repo.root, f), `// ${i}\n`));
  const plan = {
    target: 'main',
    maxParallel: 5,
    tasks: Array.from({ length: TASKS }, (_, t) => ({ id: `task${t}`, title: `Task ${t}`, prompt: 'work', scope: scopeOf(t) })),
  };
  repo.write('.lockstep/plan.yaml', stringify(plan));
  repo.commitAll('20k files');
  // Branches: task t changes two files of its own package and, for even t < 8, one shared file too.
  const runtime: Record<string, TaskRuntime> = {};
  for (let t = 0; t < BRANCHES; t++) {
    const id = `task${t}`;
    repo.git('checkout', '-q', '-b', `lockstep/${id}`, 'main');
    const own = files.filter((f) => f.startsWith(`src/pkg${t % 25}/`)).slice(0, 2);
    for (const f of own) fs.appendFileSync(path.join(repo.root, f), `// ${id}\n`);
    if (t % 2 === 0 && t < 8) fs.writeFileSync(path.join(repo.root, 'src/pkg0/area0/mod0/file0.ts'), `// changed by ${id}\n`);
    repo.commitAll(id);
    runtime[id] = { id, state: { status: 'running' }, branch: `lockstep/${id}`, sessions: [`claude:${id}`] };
  }
  repo.git('checkout', '-q', 'main');
  // task2's agent works in its own worktree, as the scheduler sets it up.
  const wt2 = path.join(path.dirname(repo.root), 'wt-task2');
  repo.git('worktree', 'add', '-q', wt2, 'lockstep/task2');
  const setupMs = performance.now() - t0;

  // The coordinator's collections, kept in memory: each running task's agent holds one file.
  const now = Date.now();
  const sessions: SessionView[] = Object.keys(runtime).map((id) => ({ id: `claude:${id}`, agent: 'claude', cwd: repo.root, worktree: repo.root, task: id, startedAt: now, lastSeen: now, sources: ['hook'], live: true, readOnly: false }));
  const leases: LeaseView[] = Object.keys(runtime).map((id, t) => ({ key: files.filter((f) => f.startsWith(`src/pkg${t % 25}/`))[5]!, session: `claude:${id}`, fence: t + 1, acquiredAt: now, expiresAt: now + 9e8, task: id }));
  const editing: EditingFacts = { sessions, leases, edits: [] as EditView[], unleased: [] };
  const gitDir = fs.realpathSync(path.join(repo.root, '.git'));

  // ---- planned matrix build ------------------------------------------------------------------
  const plannedTotal: number[] = [];
  const plannedCpu: number[] = [];
  const plannedUpdate: number[] = [];
  const lsFiles: number[] = [];
  let plannedEngine!: MatrixEngine;
  for (let run = 0; run < 5; run++) {
    const l0 = performance.now();
    await new TrackedScopeIndex(repo.root, gitDir).get();
    lsFiles.push(performance.now() - l0);
    plannedEngine = new MatrixEngine({ root: repo.root, gitDir, plannedOnly: true, facts: () => ({ editing, runtime: {} }) });
    const c0 = process.cpuUsage();
    const r = await plannedEngine.refresh();
    const c = process.cpuUsage(c0);
    plannedCpu.push((c.user + c.system) / 1000);
    plannedTotal.push(r.ms);
    plannedUpdate.push(r.updateMs);
  }
  const plannedState = plannedEngine.state();
  const sharedEntries = plannedState.cells.reduce((n, c) => n + c.planned, 0);
  // Baseline: picomatch every file against both scopes of every pair (on a sample of pairs, scaled).
  const matchers = plan.tasks.map((t) => picomatch(t.scope, { dot: true }));
  const allPairs: [number, number][] = [];
  for (let i = 0; i < TASKS; i++) for (let j = i + 1; j < TASKS; j++) allPairs.push([i, j]);
  const sample = allPairs.filter((_, k) => k % 10 === 0);
  const b0 = performance.now();
  let baselineShared = 0;
  for (const [i, j] of sample) for (const f of files) if (matchers[i]!(f) && matchers[j]!(f)) baselineShared++;
  const baselinePlannedMs = ((performance.now() - b0) * allPairs.length) / sample.length;
  const sampledIndexShared = plannedState.cells.filter((c) => sample.some(([i, j]) => c.a === `task${i}` && c.b === `task${j}`)).reduce((n, c) => n + c.planned, 0);
  if (baselineShared !== sampledIndexShared) throw new Error(`baseline found ${baselineShared} shared files on the sample, the matrix ${sampledIndexShared}`);

  // ---- live matrix ---------------------------------------------------------------------------
  const engine = new MatrixEngine({ root: repo.root, gitDir, facts: () => ({ editing, runtime }) });
  const g = engine.git.stats;
  const first = await engine.refresh();
  const firstGit = { mergeMs: g.mergeTreeMs, merges: g.mergeTreeRuns, skipped: g.mergeSkipped, otherMs: g.otherGitMs };
  const firstState = engine.state();

  // One file changes: task0's agent edits a file (what a hook or git status reports).
  const editRuns: number[] = [];
  const editGit: number[] = [];
  const editTotal: number[] = [];
  let editPairs = 0;
  for (let run = 0; run < 20; run++) {
    const before = g.otherGitMs + g.mergeTreeMs;
    // It touches a file another task's agent holds: a live overlap appears in task0's row.
    const held = leases[(run % (BRANCHES - 1)) + 1]!.key;
    editing.edits = [{ id: `e${run}`, key: held, session: 'claude:task0', worktree: repo.root, sources: ['hook'], tools: ['Edit'], at: now + run }];
    const r = await engine.refresh();
    if (!r.changed) throw new Error('an edit did not change the matrix');
    const gitMs = g.otherGitMs + g.mergeTreeMs - before;
    editTotal.push(r.ms);
    editGit.push(gitMs);
    editRuns.push(r.ms - gitMs);
    editPairs = r.pairsRecomputed;
  }
  // Baseline: the same input recomputed from scratch (a new matrix, every pair, the state).
  const input = await buildMatrixInput({ repoRoot: repo.root, planFacts: readPlanFacts(repo.root), index: await engine.trackedIndex(), runtime, editing, git: engine.git, plannedOnly: false });
  const fullRuns: number[] = [];
  for (let run = 0; run < 5; run++) {
    const f0 = performance.now();
    const fresh = new MatrixTracker();
    fresh.update(input);
    JSON.stringify(fresh.state(1));
    fullRuns.push(performance.now() - f0);
  }

  // One commit on a branch: its changes and its row of merge simulations (merge-tree reported apart).
  const commitRuns: { total: number; merge: number; other: number; runs: number }[] = [];
  for (let run = 0; run < 3; run++) {
    const s0 = { m: g.mergeTreeMs, o: g.otherGitMs, n: g.mergeTreeRuns };
    fs.appendFileSync(path.join(wt2, 'src/pkg0/area0/mod0/file0.ts'), `// again ${run}\n`);
    execFileSync('git', ['commit', '-q', '-am', `task2 again ${run}`], { cwd: wt2 });
    const r = await engine.refresh();
    commitRuns.push({ total: r.ms, merge: g.mergeTreeMs - s0.m, other: g.otherGitMs - s0.o, runs: g.mergeTreeRuns - s0.n });
  }

  const mEdit = median(editRuns);
  const mFull = median(fullRuns);
  console.log(`matrixLive bench: ${TASKS} tasks (3 broad globs each) over a real repository of ${FILES} tracked files, ${BRANCHES} task branches; load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cpus; setup ${fmt(setupMs)}`);
  console.log(`  ${plannedState.cells.length} overlapping pairs of ${allPairs.length}, ${sharedEntries} shared (pair, file) entries`);
  console.log(
    `  planned matrix build (plan + git ls-files + index + waves + all pairs + state), median of 5: ${fmt(median(plannedTotal))} wall, ${fmt(median(plannedCpu))} cpu of this process; ` +
      `of which git ls-files + index ${fmt(median(lsFiles))}, matrix and state ${fmt(median(plannedUpdate))}  [goal < 200 ms]\n` +
      `    baseline picomatch every file for every pair (sampled ${sample.length} pairs, scaled): ${fmt(baselinePlannedMs)}; ratio ${(baselinePlannedMs / median(plannedTotal)).toFixed(0)}x`,
  );
  console.log(
    `  live matrix first refresh: ${fmt(first.ms)}; git merge-tree ${firstGit.merges} pairs ${fmt(firstGit.mergeMs)} (${firstGit.skipped} pairs skipped as disjoint), other git ${fmt(firstGit.otherMs)}; ${firstState.cells.filter((c) => c.strongest === 'merge').length} pairs with merge conflicts`,
  );
  console.log(
    `  update after one file changes (${editPairs} pairs recomputed), median of 20, excluding git: ${fmt(mEdit)} (max ${fmt(Math.max(...editRuns))}); git ${fmt(median(editGit))} (refs unchanged: no git process), merge-tree 0 ms; total ${fmt(median(editTotal))}  [goal < 50 ms]\n` +
      `    baseline full recompute of the same input: ${fmt(mFull)}; ratio ${(mFull / mEdit).toFixed(1)}x`,
  );
  for (const [i, c] of commitRuns.entries()) {
    console.log(`  update after a commit on lockstep/task2 (#${i + 1}): ${fmt(c.total)} total; git merge-tree ${c.runs} pairs ${fmt(c.merge)}, other git ${fmt(c.other)}; matrix excluding git ${fmt(c.total - c.merge - c.other)}`);
  }
} finally {
  // A background `git gc --auto` may still be writing: retry the removal briefly.
  for (let k = 0; ; k++) {
    try {
      repo.cleanup();
      break;
    } catch (e) {
      if (k > 20) throw e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
