// Conflict matrix at scale: 50 tasks with broad globs over 20,000 synthetic tracked paths.
// Prints the planned-matrix build time and the time of an update after one file change, each with a
// baseline measured in the same run (picomatch on every file for every pair), as a ratio.
// Run: node --import tsx test/bench/matrix.bench.ts
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import picomatch from 'picomatch';
import { ScopeIndex } from '../../src/core/globOverlap';
import { MatrixModel, type MatrixParticipant } from '../../src/core/matrix';

const FILES = 20_000;
const TASKS = 50;

function syntheticFiles(): string[] {
  const files: string[] = [];
  const exts = ['ts', 'ts', 'ts', 'test.ts', 'json', 'md', 'css'];
  let i = 0;
  while (files.length < FILES - 500) {
    const pkg = i % 25;
    const area = Math.floor(i / 25) % 8;
    files.push(`src/pkg${pkg}/area${area}/mod${Math.floor(i / 200)}/file${i}.${exts[i % exts.length]}`);
    i++;
  }
  for (let d = 0; files.length < FILES; d++) files.push(`docs/section${d % 20}/page${d}.md`);
  return files;
}

function syntheticTasks(): MatrixParticipant[] {
  const crossCutting = ['**/*.json', 'src/**/*.test.ts', 'docs/**', 'src/**/*.css', '**/*.md'];
  return Array.from({ length: TASKS }, (_, t) => ({
    id: `task${t}`,
    kind: 'task' as const,
    status: 'running' as const,
    scope: [`src/pkg${t % 25}/**`, `src/*/area${t % 8}/**`, crossCutting[t % crossCutting.length]],
    leased: [`src/pkg${t % 25}/area0/mod0/file${t}.ts`],
    edited: [],
  }));
}

/** Wall time, and CPU time of this process (the machine may be shared; CPU time is less disturbed). */
const cpuTimes: number[] = [];
function time<T>(fn: () => T): [T, number] {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = fn();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  cpuTimes.push((c.user + c.system) / 1000);
  return [r, wall];
}
/** CPU time of the last `n` measurements. */
function lastCpu(n: number): number[] {
  return cpuTimes.slice(-n);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Baseline: for each pair, picomatch every file against both scopes. */
function naivePlanned(tasks: MatrixParticipant[], files: string[], pairs: [number, number][]): number {
  const matchers = tasks.map((t) => picomatch(t.scope as string[], { dot: true }));
  let shared = 0;
  for (const [i, j] of pairs) for (const f of files) if (matchers[i](f) && matchers[j](f)) shared++;
  return shared;
}

const files = syntheticFiles();
const tasks = syntheticTasks();
const allPairs: [number, number][] = [];
for (let i = 0; i < TASKS; i++) for (let j = i + 1; j < TASKS; j++) allPairs.push([i, j]);

// Planned matrix, cold: index the files, match every glob, intersect every pair, list the cells.
const plannedRuns: number[] = [];
let model!: MatrixModel;
let index!: ScopeIndex;
for (let run = 0; run < 5; run++) {
  const [built, ms] = time(() => {
    const ix = new ScopeIndex(files);
    const m = new MatrixModel(tasks, ix);
    m.cells();
    return [ix, m] as const;
  });
  [index, model] = built;
  plannedRuns.push(ms);
}
const plannedCpu = lastCpu(5);
const cells = model.cells();
const sharedTotal = cells.reduce((n, c) => n + c.planned.count, 0);
const nonEmpty = cells.filter((c) => c.strongest !== 'none').length;

const [baselineShared, baselineMs] = time(() => naivePlanned(tasks, files, allPairs));
const baselineCpu = lastCpu(1)[0];
if (baselineShared !== sharedTotal) throw new Error(`baseline found ${baselineShared} shared files, the index ${sharedTotal}`);

// Update after one file change: task7 edits a file another task holds → its row is recomputed.
const updateRuns: number[] = [];
let recomputed = 0;
for (let run = 0; run < 20; run++) {
  const victim = tasks[(run % (TASKS - 1)) + 1].leased![0];
  const [, ms] = time(() => {
    const r = model.update({ kind: 'live', task: 'task0', edited: [victim, `src/pkg0/area0/mod0/extra${run}.ts`] });
    recomputed = r.pairsRecomputed;
    for (let j = 1; j < TASKS; j++) model.cell('task0', `task${j}`);
  });
  updateRuns.push(ms);
}
const updateCpu = lastCpu(20);
// The same change the naive way: recompute the row (planned by picomatch on every file, plus live).
const rowPairs = allPairs.filter(([i]) => i === 0);
const [, baselineUpdateMs] = time(() => naivePlanned(tasks, files, rowPairs));
const baselineUpdateCpu = lastCpu(1)[0];

// A scope edit: the task's planned row is recomputed (new glob matched once against the index).
const scopeRuns: number[] = [];
for (let run = 0; run < 10; run++) {
  const [, ms] = time(() => {
    model.update({ kind: 'scope', task: 'task3', scope: [`src/pkg${run}/**`, `src/*/area${run % 8}/mod${run}/**`] });
    for (let j = 0; j < TASKS; j++) if (j !== 3) model.cell('task3', `task${j}`);
  });
  scopeRuns.push(ms);
}
const scopeCpu = lastCpu(10);

// A new tracked file (e.g. after a commit): rebuild the index, recompute every planned part.
const [, newFileMs] = time(() => {
  const ix = new ScopeIndex([...files, 'src/pkg3/area1/mod0/new.ts']);
  model.update({ kind: 'index', index: ix });
  model.cells();
});

const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
const both = (wall: number, cpu: number) => `${fmt(wall)} wall / ${fmt(cpu)} cpu`;
console.log(`matrix bench: ${TASKS} tasks (3 broad globs each), ${files.length} tracked files, ${allPairs.length} pairs; load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cpus`);
console.log(`  ${nonEmpty} non-empty cells, ${sharedTotal} shared (pair, file) entries; ${index.stats.globsCompiled} globs compiled, ${index.stats.filesTested} files tested by regex`);
console.log(
  `  planned matrix build (index + all pairs + cells), median of 5: ${both(median(plannedRuns), median(plannedCpu))} (first ${fmt(plannedRuns[0])} wall)  [goal < 200 ms]\n` +
    `    baseline picomatch every file every pair: ${both(baselineMs, baselineCpu)}; ratio ${(baselineMs / median(plannedRuns)).toFixed(0)}x wall, ${(baselineCpu / median(plannedCpu)).toFixed(0)}x cpu`,
);
console.log(
  `  update after one edited file (live row: ${recomputed} pairs recomputed, row read), median of 20: ${both(median(updateRuns), median(updateCpu))} (max ${fmt(Math.max(...updateRuns))} wall)  [goal < 50 ms]\n` +
    `    baseline naive row recompute: ${both(baselineUpdateMs, baselineUpdateCpu)}; ratio ${(baselineUpdateMs / median(updateRuns)).toFixed(0)}x wall`,
);
console.log(`  scope edit of one task (planned row recomputed), median of 10: ${both(median(scopeRuns), median(scopeCpu))}; ratio vs naive row ${(baselineUpdateMs / median(scopeRuns)).toFixed(0)}x wall`);
console.log(`  new tracked file (rebuild index + all planned parts + cells): ${fmt(newFileMs)} wall`);
