// Coordinator server on a large repository: 20,000 files, the main worktree and 4 linked ones.
// Prints the server's memory after settling (goal < 150 MB) against an idle Node process, and the
// delay from a file write to the server's notification (median of 20; goal < 300 ms) against one
// `git status` of a worktree (the floor: the server runs one per change).
// Run: node --import tsx test/bench/server.bench.ts   (BENCH_FILES=… to change the size)
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ensureBuilt } from '../helpers/cli';
import { startServer } from '../integration/serverHarness';

const FILES = Number(process.env.BENCH_FILES ?? 20_000);
const LINKED = 4;
const SAMPLES = 20;

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 1 << 28 }).trim();
}

function fileName(i: number): string {
  return `pkg${i % 20}/mod${Math.floor(i / 20) % 50}/file${i}.ts`;
}

function content(i: number): string {
  return `export const v${i % 64} = ${i % 64};\n`;
}

/** Writes every file with Node (fast here), then lets git adopt them without a checkout. */
function populate(dir: string): void {
  for (let i = 0; i < FILES; i++) {
    const abs = path.join(dir, fileName(i));
    if (i % 20 === 0 || i < 1000) fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, content(i));
  }
  git(dir, 'reset', '-q');
}

/** Rewrites the index once its files are older than it, so no entry is "racily clean" (re-hashed by every status). */
async function settleIndex(dirs: string[]): Promise<void> {
  await new Promise((r) => setTimeout(r, 1100));
  for (const d of dirs) {
    fs.rmSync(path.join(git(d, 'rev-parse', '--absolute-git-dir'), 'index'));
    git(d, 'reset', '-q');
  }
}

async function generateRepo(base: string): Promise<{ root: string; worktrees: string[] }> {
  const root = path.join(base, 'repo');
  fs.mkdirSync(root);
  git(root, 'init', '-q', '-b', 'main');
  // One commit of FILES files sharing 64 blobs, through fast-import (no loose objects, no checkout).
  let stream = '';
  for (let b = 0; b < 64; b++) {
    const c = `export const v${b} = ${b};\n`;
    stream += `blob\nmark :${b + 1}\ndata ${Buffer.byteLength(c)}\n${c}\n`;
  }
  stream += 'commit refs/heads/main\ncommitter Bench <b@example.com> 1700000000 +0000\ndata 5\nbulk\n';
  stream += `M 100644 inline .gitignore\ndata 14\nnode_modules/\n`;
  for (let i = 0; i < FILES; i++) stream += `M 100644 :${(i % 64) + 1} ${fileName(i)}\n`;
  execFileSync('git', ['fast-import', '--quiet'], { cwd: root, input: stream + '\n' });
  populate(root);
  const worktrees = [root];
  for (let w = 0; w < LINKED; w++) {
    const wt = path.join(base, `wt-${w}`);
    git(root, 'worktree', 'add', '-q', '--no-checkout', '-b', `task-${w}`, wt);
    populate(wt);
    worktrees.push(fs.realpathSync(wt));
  }
  await settleIndex(worktrees);
  return { root: fs.realpathSync(root), worktrees };
}

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))]!;
}

async function main(): Promise<void> {
  ensureBuilt();
  const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-bench-')));
  const home = path.join(base, 'home');
  let stop: (() => Promise<void>) | undefined;
  try {
    const t0 = performance.now();
    const { root, worktrees } = await generateRepo(base);
    const genS = (performance.now() - t0) / 1000;

    // Baselines, measured in this run.
    const idle = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 500));
    const idleRss = rssMb(idle.pid!);
    idle.kill();
    const statusTimes: number[] = [];
    for (let i = 0; i < 5; i++) {
      const s = performance.now();
      spawnSync('git', ['status', '--porcelain=v2', '-z', '--untracked-files=all'], { cwd: worktrees[1]!, env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' } });
      statusTimes.push(performance.now() - s);
    }
    const statusMs = median(statusTimes);

    const tStart = performance.now();
    const server = await startServer({ root, env: { CLAUDE_CONFIG_DIR: path.join(home, 'claude'), CODEX_HOME: path.join(home, 'codex'), HOME: home } });
    stop = () => server.stop();
    await server.waitFor('all worktrees with their status', (s) => s.worktrees.length === worktrees.length && s.worktrees.every((w) => w.changedFiles !== undefined), 120_000);
    const firstSnapshotMs = performance.now() - tStart;

    // Settle: watchers finish their initial scans; wait until RSS stops moving.
    let rss = rssMb(server.proc.pid!);
    let peak = rss;
    for (let i = 0; i < 60; i++) {
      await new Promise((r) => setTimeout(r, 500));
      const next = rssMb(server.proc.pid!);
      peak = Math.max(peak, next);
      const stable = i >= 6 && Math.abs(next - rss) / rss < 0.01;
      rss = next;
      if (stable) break;
    }

    // Write → notification, one file at a time, spread over the worktrees.
    const latencies: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const wt = worktrees[i % worktrees.length]!;
      const key = fileName(1000 + i * 97);
      const s = performance.now();
      fs.writeFileSync(path.join(wt, key), `// changed ${i}\n`);
      await server.waitFor(`${key} unleased in ${wt}`, (x) => x.unleased.some((u) => u.key === key && u.worktree === wt), 10_000);
      latencies.push(performance.now() - s);
      await new Promise((r) => setTimeout(r, 100));
    }
    const rssAfter = rssMb(server.proc.pid!);

    const f = (n: number) => n.toFixed(0);
    console.log(`server.bench — ${FILES.toLocaleString('en')} files × ${worktrees.length} worktrees (main + ${LINKED}), generated in ${genS.toFixed(1)} s`);
    console.log(`  baseline  idle node process RSS           ${f(idleRss)} MB`);
    console.log(`  baseline  git status of one worktree      ${f(statusMs)} ms (median of 5)`);
    console.log(`  server    first full snapshot             ${f(firstSnapshotMs)} ms`);
    console.log(`  server    RSS after settling              ${f(rss)} MB (peak ${f(peak)} MB; ${(rss / idleRss).toFixed(1)}× idle node; goal < 150 MB)`);
    console.log(`  server    RSS after ${SAMPLES} writes              ${f(rssAfter)} MB`);
    console.log(
      `  server    write → notification            median ${f(median(latencies))} ms, p90 ${f(pct(latencies, 90))} ms, max ${f(Math.max(...latencies))} ms ` +
        `(${(median(latencies) / statusMs).toFixed(1)}× one git status; goal < 300 ms)`,
    );
  } finally {
    await stop?.();
    fs.rmSync(base, { recursive: true, force: true });
  }
}

void main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
