// Starting a write task (gate check and reservation, branch + locked worktree, hooks, session, up to
// the launch of a no-op agent) against a bare `git worktree add` of the same commit, on a repository
// of 20,000 files, measured in the same run. Goal: ratio ≤ 1.3x.
// Run: node --import tsx test/bench/taskStart.bench.ts [files] [rounds]
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { ChildProcessLauncher } from '../../src/scheduler/childProcessLauncher';
import { Scheduler } from '../../src/scheduler/scheduler';

const FILES = Number(process.argv[2] ?? 20_000);
const ROUNDS = Number(process.argv[3] ?? 5);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

async function main(): Promise<void> {
  const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-bench-start-')));
  const root = path.join(base, 'repo');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 28 }).trim();
  try {
    fs.mkdirSync(root);
    git('init', '-q', '-b', 'main');
    git('config', 'user.name', 'Bench');
    git('config', 'user.email', 'bench@example.com');
    for (let i = 0; i < FILES; i++) {
      const dir = path.join(root, 'src', `m${i % 200}`);
      if (i < 200) fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `f${i}.ts`), `export const v${i} = ${i};\n`);
    }
    const tasks = Array.from({ length: ROUNDS + 1 }, (_, i) => ({ id: `t${i}`, title: `T${i}`, prompt: 'noop', scope: [`src/m${i}/**`] }));
    fs.mkdirSync(path.join(root, '.lockstep'));
    fs.writeFileSync(path.join(root, '.lockstep', 'plan.yaml'), stringify({ maxParallel: 64, agents: { claude: ['true', '{prompt}'] }, tasks }));
    git('add', '-A');
    git('commit', '-q', '-m', 'bench repo');
    const head = git('rev-parse', 'HEAD');

    const scheduler = new Scheduler({ repoDir: root, launcher: new ChildProcessLauncher() });
    const bare: number[] = [];
    const start: number[] = [];
    const bareAdd = (name: string) => {
      const wt = path.join(base, 'bare', name);
      const t0 = performance.now();
      execFileSync('git', ['worktree', 'add', '-q', '--detach', wt, head], { cwd: root });
      const ms = performance.now() - t0;
      execFileSync('git', ['worktree', 'remove', '--force', wt], { cwd: root });
      return ms;
    };
    const taskStart = async (id: string) => {
      const t0 = performance.now();
      await scheduler.start(id);
      const ms = performance.now() - t0;
      // Clean up outside the measurement: the no-op agent has exited; remove its worktree and branch.
      for (let i = 0; i < 200 && (await scheduler.list()).tasks.find((t) => t.id === id)?.status === 'running'; i++) await scheduler.waitForChange(50);
      await scheduler.abandon(id);
      return ms;
    };
    // Warm-up: file cache, the scope index over ls-files, git's own caches.
    bareAdd('warm');
    await taskStart('t0');
    for (let i = 1; i <= ROUNDS; i++) {
      bare.push(bareAdd(`b${i}`));
      start.push(await taskStart(`t${i}`));
    }
    const b = median(bare);
    const s = median(start);
    console.log(`repository: ${FILES} files, ${ROUNDS} rounds (medians)`);
    console.log(`bare git worktree add:          ${b.toFixed(0)} ms  [${bare.map((x) => x.toFixed(0)).join(', ')}]`);
    console.log(`scheduler start (to launch):    ${s.toFixed(0)} ms  [${start.map((x) => x.toFixed(0)).join(', ')}]`);
    console.log(`ratio start / bare:             ${(s / b).toFixed(2)}x (goal ≤ 1.3x)`);
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
}

void main();
